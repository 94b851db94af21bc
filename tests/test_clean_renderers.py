"""The cleaner on pages rendered by real text browsers and converters (Debian's w3m, lynx,
elinks, html2text and pandoc, installed by scripts/system-deps.sh): the team-written page of
each script (tests/pages_multiscript.py) as HTML, dumped by each program, comes out with every
article paragraph whole and without its menu."""

from __future__ import annotations

import html
import importlib.util
import shutil
from pathlib import Path

import pytest
from pages_multiscript import PAGES

from storyline.clean.shape import wrap_margin
from storyline.clean.text import TextCleaner

# the programs and options of the dev pages' renderings (scripts/render_textclean.py): w3m at
# 80 and 120 columns, lynx (which wraps CJK text by characters: 77 characters are 154
# columns), elinks, html2text, pandoc plain text and wrapped markdown
_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "render_textclean.py"
_spec = importlib.util.spec_from_file_location("render_textclean", _SCRIPT)
render_textclean = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_textclean)
RENDERERS = ("w3m", "w3m120", "lynx", "elinks", "html2text", "pandoc", "gfm80")


def page_html(page: dict) -> str:
    e = html.escape
    menu = "".join(f'<li><a href="/section/{k}">{e(m)}</a></li>' for k, m in enumerate(page["menu"]))
    side = "".join(f'<li><a href="/more/{k}">{e(s)}</a></li>' for k, s in enumerate(page["side"]))
    body = "".join(f"<p>{e(p)}</p>" for p in page["body"])
    return (f'<html><head><meta charset="utf-8"><title>{e(page["title"])}</title></head><body>'
            f'<ul>{menu}</ul><h1>{e(page["title"])}</h1>{body}<ul>{side}</ul></body></html>')


def _norm(s: str) -> str:
    return " ".join(s.split())


def dump(renderer: str, page: dict) -> str:
    """``page`` as HTML, dumped by the real program."""
    program = {**render_textclean.RENDERERS, **render_textclean.EXTRA_RENDERERS}[renderer][0]
    if shutil.which(program) is None:
        pytest.fail(f"{program} is not installed: run scripts/system-deps.sh (apt-get install {program})")
    return render_textclean.render(renderer, page_html(page))


@pytest.mark.parametrize("lang", sorted(PAGES))
@pytest.mark.parametrize("renderer", RENDERERS)
def test_pages_dumped_by_real_text_browsers_come_out_whole(lang, renderer):
    page = PAGES[lang]
    doc = TextCleaner().clean(dump(renderer, page))
    out = _norm("\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs)))
    for para in page["body"]:
        assert _norm(para) in out, (renderer, lang, para[:30], doc.paragraphs)
    body = {_norm(p).lstrip("•*-+ ") for p in doc.paragraphs}
    assert not body & {_norm(m) for m in page["menu"]}, (renderer, lang, doc.paragraphs)
    assert "/section/" not in out and "http" not in out


def test_lynx_wraps_chinese_mixed_with_latin_words_by_characters():
    # lynx counts a CJK character as one column: a line of 77 characters is 100-150 display
    # columns as the share of Latin words varies, so its margin shows in characters only
    latin = ["（据 Reuters 与 Associated Press 报道，BBC News、Le Monde 和 Der Spiegel 亦有转载）", "",
             "（Deutsche Welle, Al Jazeera English）", "（据 The Guardian 报道）"]
    page = dict(PAGES["zh"])
    page["body"] = [p.replace("。", words + "。", 1) for p, words in zip(PAGES["zh"]["body"], latin)]
    text = dump("lynx", page)
    found = wrap_margin(text.splitlines())
    assert found is not None and found[1] is len
    doc = TextCleaner().clean(text)
    out = _norm("\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs)))
    for para in page["body"]:
        assert _norm(para) in out, (para[:30], doc.paragraphs)
