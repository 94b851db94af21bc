"""The cleaner on pages rendered by real text browsers and converters (Debian's w3m, lynx,
elinks, html2text and pandoc, installed by scripts/system-deps.sh): the team-written page of
each script (tests/pages_multiscript.py) as HTML, dumped by each program, comes out with every
article paragraph whole and without its menu."""

from __future__ import annotations

import html
import shutil
import subprocess

import pytest
from pages_multiscript import PAGES

from storyline.clean.shape import wrap_margin
from storyline.clean.text import TextCleaner

RENDERERS = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-cols", "80", "-I", "UTF-8", "-O", "UTF-8"],
    "w3m-120-columns": ["w3m", "-dump", "-T", "text/html", "-cols", "120", "-I", "UTF-8", "-O", "UTF-8"],
    # lynx wraps CJK text by characters, not display columns: 77 characters are 154 columns
    "lynx": ["lynx", "-dump", "-stdin", "-force_html", "-width=80", "-assume_charset=utf-8",
             "-display_charset=utf-8"],
    "elinks": ["elinks", "-dump", "-dump-width", "80", "-dump-charset", "utf-8", "-force-html"],
    "html2text": ["html2text", "-utf8", "-nobs", "-width", "80"],
    "pandoc-plain": ["pandoc", "-f", "html", "-t", "plain", "--columns", "72"],
    "pandoc-markdown": ["pandoc", "-f", "html-native_divs-native_spans", "-t", "gfm-raw_html", "--columns", "80"],
}


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
    cmd = RENDERERS[renderer]
    if shutil.which(cmd[0]) is None:
        pytest.fail(f"{cmd[0]} is not installed: run scripts/system-deps.sh (apt-get install {cmd[0]})")
    return subprocess.run(cmd, input=page_html(page).encode("utf-8"), capture_output=True, timeout=60,
                          check=True).stdout.decode("utf-8")


@pytest.mark.parametrize("lang", sorted(PAGES))
@pytest.mark.parametrize("renderer", sorted(RENDERERS))
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
