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


def test_eval_textclean_scores_word_overlap_with_a_gold_article(tmp_path):
    from pages_multiscript import PAGES, lynx_page

    page = PAGES["el"]
    f = tmp_path / "articles.jsonl"
    # a page scored by its gold article only (no snippets), and one with snippets + a reference
    f.write_text(json.dumps({"id": "a", "text": lynx_page(page), "article": "\n".join(page["body"])},
                            ensure_ascii=False) + "\n"
                 + json.dumps({"id": "b", "text": lynx_page(page), "with": [page["body"][1]],
                               "without": [page["side"][1]], "reference": "\n".join(page["body"])},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "textclean", str(f), "--json"])
    assert res.exit_code == 0, res.output
    scores = json.loads(res.output)
    assert scores["words_article"]["pages"] == 1 and scores["words_reference"]["pages"] == 1
    assert scores["words_article"]["recall"] == 1.0  # every word of the article kept
    assert scores["words_article"]["precision"] > 0.85  # the title is the only extra
    assert scores["recall"] == 1.0 and scores["precision"] == 1.0
    res = CliRunner().invoke(main, ["eval", "textclean", str(f)])
    assert "word overlap (article)" in res.output and "word overlap (reference)" in res.output


def test_eval_textclean_with_html_uses_trafilatura_as_reference(tmp_path):
    from pages_multiscript import PAGES, paragraph_page

    page = PAGES["en"]
    html_dir = tmp_path / "html"
    html_dir.mkdir()
    paras = "".join(f"<p>{p}</p>" for p in page["body"])
    nav = "".join(f"<li><a href='/{k}'>{m}</a></li>" for k, m in enumerate(page["menu"]))
    (html_dir / "p1.html").write_text(
        f"<html><body><nav><ul>{nav}</ul></nav><article><h1>{page['title']}</h1>{paras}</article>"
        "<footer>Contact us</footer></body></html>", encoding="utf-8")
    f = tmp_path / "pages.jsonl"
    f.write_text(json.dumps({"id": "p1", "text": paragraph_page(page), "with": [], "without": []}) + "\n")
    res = CliRunner().invoke(main, ["eval", "textclean", str(f), "--html", str(html_dir), "--json"])
    assert res.exit_code == 0, res.output
    words = json.loads(res.output)["words_reference"]
    assert words["pages"] == 1 and words["recall"] > 0.95 and words["f1"] > 0.9


def test_one_progress_bar_for_the_run_with_articles_per_second(capsys):
    from storyline.cli import progress_bar

    with progress_bar(False) as bar:
        bar("ingest", 3, 10)
        bar("articles", 12, None)
        bar("ingest", 10, 10)
        bar("cluster", 0, 1)
    shown = capsys.readouterr().err
    assert "cluster" in shown and "12 articles" in shown and "/s" in shown
    assert "ingest" not in shown  # one bar: its stage replaced, not a second bar
    with progress_bar(True) as bar:
        assert bar is None


def test_engine_options_are_one_line_errors(tmp_path):
    db = str(tmp_path / "x.db")
    res = CliRunner().invoke(main, ["ingest", str(PAGE), "--db", db, "--engine", "processes",
                                    "--scheduler", "tcp://127.0.0.1:1"])
    assert res.exit_code != 0 and "--scheduler needs the dask engine" in res.output
    res = CliRunner().invoke(main, ["ingest", str(PAGE), "--db", db, "--workers", "-1"])
    assert res.exit_code != 0 and "--workers" in res.output
    res = CliRunner().invoke(main, ["ingest", "--help"])
    assert "--engine" in res.output and "--scheduler" in res.output
