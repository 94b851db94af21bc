"""CLI commands that need no model: clean, eval textclean, help and error edges."""

import json

from click.testing import CliRunner
from conftest import BENCH, SAMPLE, need

from storyline.cli import main

PAGE = SAMPLE / "pages" / "hariq_athina_ar.txt"


def test_clean_prints_article_and_explains_removals():
    res = CliRunner().invoke(main, ["clean", str(PAGE), "--explain"])
    assert res.exit_code == 0, res.output
    assert "حريق غابات قرب أثينا" in res.output
    assert "removed (" in res.output and "after-body" in res.output


def test_clean_json():
    res = CliRunner().invoke(main, ["clean", str(PAGE), "--json"])
    [doc] = json.loads(res.output)
    assert doc["title"].startswith("حريق غابات")
    assert all("©" not in p for p in doc["paragraphs"])
    assert any(r["text"].startswith("جميع الحقوق محفوظة") for r in doc["removed"])


def test_clean_bad_file_is_one_line(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    res = CliRunner().invoke(main, ["clean", str(p)])
    assert res.exit_code == 1
    assert res.output.strip() == f"Error: {p}: empty file"


def test_eval_textclean_on_a_small_file(tmp_path):
    f = tmp_path / "tiny.jsonl"
    page = PAGE.read_text()
    f.write_text(json.dumps({"id": "1", "url": "", "text": page,
                             "with": ["لقي شخصان حتفهما"],
                             "without": ["جميع الحقوق محفوظة"]}) + "\n")
    res = CliRunner().invoke(main, ["eval", "textclean", str(f), "--json"])
    scores = json.loads(res.output)
    assert scores["precision"] == 1.0 and scores["recall"] == 1.0 and scores["pages"] == 1


def test_eval_textclean_rejects_a_wrong_file(tmp_path):
    f = tmp_path / "wrong.jsonl"
    f.write_text('{"title": "no text here"}\n')
    res = CliRunner().invoke(main, ["eval", "textclean", str(f)])
    assert res.exit_code == 1 and "not a textclean benchmark file" in res.output


def test_train_textclean_writes_a_model_the_cleaner_uses(tmp_path):
    from test_clean_linemodel import _synthetic_pages

    from storyline.clean.linemodel import LineModel

    f = tmp_path / "pages.jsonl"
    f.write_text("".join(json.dumps(p) + "\n" for p in _synthetic_pages(12)))
    target = tmp_path / "model.npz"
    res = CliRunner().invoke(main, ["train-textclean", str(f), "--out", str(target), "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["pages"] == 12 and rec["cross_validated"]["f1"] > 0.5
    assert LineModel.load(target).record["labelled_lines"] == rec["labelled_lines"]
    res = CliRunner().invoke(main, ["eval", "textclean", str(f), "--rules-only", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["pages"] == 12
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    res = CliRunner().invoke(main, ["train-textclean", str(bad)])
    assert res.exit_code == 1 and "not a textclean benchmark file" in res.output


def test_eval_textclean_on_dev_if_present():
    dev = need(BENCH / "textclean" / "dev.jsonl")
    res = CliRunner().invoke(main, ["eval", "textclean", str(dev)])
    assert res.exit_code == 0 and "F1" in res.output


def test_every_command_has_help_with_an_example():
    for cmd in ["run", "ingest", "cluster", "stories", "story", "clean", "search", "export",
                "coverage"]:
        res = CliRunner().invoke(main, [cmd, "--help"])
        assert res.exit_code == 0 and "Example:" in res.output, cmd
