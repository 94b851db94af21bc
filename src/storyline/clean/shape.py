"""Text shape: undo what a text browser or a mail/wire program did to a page's lines.

The same page reaches the cleaner in several shapes: one paragraph per line (a browser's
copy), the HTML source's own line breaks, markdown (scrapers that emit it), or hard-wrapped at
60-120 columns (``w3m -dump``, ``lynx -dump``, ``elinks -dump``, ``links -dump``, ``html2text``,
``pandoc -t plain``, e-mail, wire copy), with the renderer's marks: lynx's and elinks' ``[12]``
before each link and their numbered "References" footer, ``[image]`` alt-text lines,
html2text's ``****** heading ******``, markdown's ``[text](target)``. ``normalise_shape``
brings them to one shape before the cleaner reads the lines, so that a paragraph is one line
whatever the renderer:

* a footer of numbered link targets (lynx's and elinks' "References", "Visible links",
  "Hidden/Invisible links") is cut;
* lynx's link marks (``[12]`` glued to the link text) are removed;
* html2text's heading stars are removed;
* a markdown page (three or more links or images) reads as a browser shows it: a link becomes
  its text, an image inside a line goes (alone on a line it stays, for the cleaner to drop),
  a table's cells go one a line, and bold and code marks, heading hashes, code fences, table
  rules and backslash escapes go;
* when the page is hard-wrapped (many lines end close to one width; or, where long indented
  menus bury that margin in the width counts or the margin is wider than 100 columns, at least
  five lines at it, or two that are half of the lines there, are broken mid-clause and go on
  at the same indent), a line is joined to the
  next one when the next line's first word would not have fitted on it: the renderer's own
  rule for breaking a line, so paragraph ends (short lines), list items and blank lines stay,
  and so does a caption's credit ("Foto: ...", "© ...") opening a line after a sentence's end.
  Lines holding a word too long to break (a URL, a markdown link target, a rule of dashes)
  may overrun the margin, so it is measured without them (with them when that finds none).
  A double-spaced page (a blank line after every line, two or more between paragraphs:
  typescript, some e-mail and wire copy) is read single-spaced first when it is wrapped; a
  page with one blank line after every line and never two (the textclean benchmark's own
  dump) is not double-spaced: nothing tells its paragraphs apart from its lines.

Pages that are not wrapped (no common right margin) keep their lines; only the marks go.

Display width counts East Asian wide characters as two columns, as most renderers do, and two
CJK lines are joined without a space. lynx counts a CJK character as one column, so a page
with no margin in display columns is measured again in characters; there only a sharp margin
counts (html2text breaks CJK text by bytes, at no margin at all).

Before all that, ``repair_encoding`` undoes mojibake: UTF-8 text that a scraper decoded as
Latin-1 or Windows-1252 ("fÃ¼r" for "für", "â€™" for "’"), as found in 37 of the 472 dev pages
of the textclean benchmark. ftfy re-decodes it; a cheap scan for the two-character sequences
such a wrong decoding leaves decides whether ftfy runs at all (it costs ~2 ms a page).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from storyline.clean.linemodel import ends_sentence

WRAP_MIN_LINES = 8  # a page needs this many non-empty lines to be called hard-wrapped ...
WRAP_TAIL = 0.03  # ... its width is the line length that at most this share of lines exceed ...
WRAP_BAND = 12  # ... and at least WRAP_MIN_SHARE of its prose lines end within this many
WRAP_MIN_SHARE = 0.1  # columns of that width, at least WRAP_EDGE times as many as in the band
WRAP_EDGE = 2.0  # below (the renderer's margin is a sharp edge; paragraph lengths are spread)
WRAP_OPEN_SHARE = 0.3  # ... and at least this share of those end mid-sentence (in a word)
WRAP_MIN_WIDTH = 40  # widths below this are lists, not wrapping
WRAP_MAX_WIDTH = 100  # and above this, paragraphs of similar length (renderers wrap at 72-80) ...
WRAP_MAX_BROKEN_WIDTH = 250  # ... unless the renderer's breaks show (wide terminals: 120, 132)
WRAP_MIN_BREAKS = 5  # or: at least this many lines at the margin are broken mid-paragraph ...
WRAP_FEW_BREAKS = 2  # ... or at least this many, and this share of the lines at the margin
WRAP_BREAK_SHARE = 0.5  # (a short page of a few long paragraphs)
WRAP_LONG_WORD = 30  # a line holding a longer word is not measured (it may overrun the margin)
# A double-spaced page (typescript, some e-mail and wire copy): a blank line after every line
# and two or more between paragraphs. Of the gaps between its text lines, at least
# DOUBLE_MIN_SHARE are one blank line, at most DOUBLE_MAX_ADJACENT none, and at least
# DOUBLE_MIN_PARAGRAPHS two or more.
DOUBLE_MIN_SHARE = 0.5
DOUBLE_MAX_ADJACENT = 0.1
DOUBLE_MIN_PARAGRAPHS = 1
DOUBLE_MIN_AT_MARGIN = 0.5  # ... and, single-spaced, most lines that run on end at the margin

# A lead byte of a 2-4 byte UTF-8 sequence read as Latin-1 (Â-ô), followed by a continuation
# byte read as Latin-1 (U+0080-U+00BF) or as Windows-1252 (its letters and punctuation at
# 0x80-0x9F): the trace of UTF-8 decoded with the wrong single-byte code page.
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                       "\u2039\u203a\u20ac\u2122]")
# A photo credit's label ("Foto: X", "(Photo credit: X)", "© X"); a line opening with one after a
# sentence's end starts a caption, not the rest of a wrapped paragraph (``join_wrapped``), and
# ``clean.text`` drops credit lines and captions ending in one
CREDIT_LABEL = (r"(?:foto|fotos|photo|photos|bild|bilder|image|images|credit|credits|quelle|source|"
                r"kuva|imagen|illustration|grafik|picture|φωτογραφία|φωτό|фото|صورة)s?(?:\s*credits?)?")
_CREDIT_START = re.compile(rf"[(\[]?(?:©|{CREDIT_LABEL}\s*:)", re.I)
_LINK_MARK = re.compile(r"\[\d{1,4}\](?=\S)")  # lynx, elinks: "[12]Link text", glued to the link
_FOOTER_HEADS = r"Visible links:?|Hidden links:?|Invisible links:?"
_FOOTER_HEAD = re.compile(rf"^\s*(References|{_FOOTER_HEADS})\s*$")
# a footer's lines: "12. https://…" (lynx, elinks), or elinks' "12. Link title" over its target
# on a line of its own, indented
_FOOTER_LINE = re.compile(rf"^\s*(\d{{1,5}}\.\s+[a-zA-Z][\w+.-]*:\S*|{_FOOTER_HEADS})")
_FOOTER_TARGET = re.compile(r"^\s+[a-zA-Z][\w+.-]*:\S+\s*$")
_FOOTER_ENTRY = re.compile(r"^\s*\d{1,5}\.\s")
FOOTER_MIN_SHARE = 0.8  # a footer: this share of the lines below its head are numbered links
# Markdown (scrapers that emit it; a seed page's images): links become their text, as a
# browser's copy shows them; an image alone at a line's start stays (the cleaner drops such
# lines as "image"), one inside a line goes; a table's cells go one a line (a browser's copy
# of a table); bold and code marks, heading hashes, fences, table rules and escapes go.
MARKDOWN_MIN_LINKS = 3  # a page with at least this many markdown links or images is markdown
_MD_TARGET = r'\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"\n]*")?\)'  # (url) or (url "title")
_MD_IMG = r"!\[[^\[\]\n]*\]" + _MD_TARGET
_MD_LINK = re.compile(rf"(?<!!)\[((?:[^\[\]\n]|{_MD_IMG})*)\]{_MD_TARGET}")
_MD_INLINE_IMG = re.compile(rf"(?<=\S)[ \t]*{_MD_IMG}")
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|\"'$])")
_MD_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$|^[ \t]*(?:```|~~~).*$",
                      re.M)  # a table's rule under its head ("|---|---|"), a code fence
_MD_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.M)  # a table row: its cells, one a line
_MD_CODE = re.compile(r"`([^`\n]+)`")
_HEADING_STARS = re.compile(r"^(\s*)\*{2,}\s+(.*?)\s+\*{2,}\s*$", re.M)  # html2text headings
_BULLET = re.compile(r"^\s*(?:[-*•·▪►▶»+#o]|\d{1,3}[.)])\s")
_WIDE = ("W", "F")
_MAYBE_WIDE = re.compile("[\u1100-\U0010ffff]")  # East Asian wide characters are all at U+1100 or above


def strip_link_marks(text: str) -> str:
    """``text`` without lynx's link marks (``[12]`` glued to the link text that follows)."""
    return _LINK_MARK.sub("", text) if "[" in text else text


def cut_link_footer(lines: list[str]) -> list[str]:
    """Lines before a trailing footer of numbered link targets (lynx's "References")."""
    cut = len(lines)
    for i in range(len(lines) - 1, -1, -1):  # the topmost head whose whole tail is a footer
        if _FOOTER_HEAD.match(lines[i]):
            tail = [ln for ln in lines[i + 1 :] if ln.strip()]
            links = sum(1 for k, ln in enumerate(tail) if _FOOTER_LINE.match(ln) or _FOOTER_TARGET.match(ln)
                        or (_FOOTER_ENTRY.match(ln) and k + 1 < len(tail) and _FOOTER_TARGET.match(tail[k + 1])))
            if tail and links >= FOOTER_MIN_SHARE * len(tail):
                cut = i
    return lines[:cut]


def width(s: str) -> int:
    """Display width in columns (East Asian wide/full-width characters count two)."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in _MAYBE_WIDE.findall(s) if unicodedata.east_asian_width(ch) in _WIDE)


def wrap_width(lines: list[str]) -> int | None:
    """The column a hard-wrapped page was wrapped at, or None when it was not wrapped."""
    found = wrap_margin(lines)
    return found[0] if found else None


def wrap_margin(lines: list[str]) -> tuple[int, Callable[[str], int]] | None:
    """(margin, measure) of a hard-wrapped page, or None: the margin in display columns
    (``width``), or else in characters (``len``): lynx counts a CJK character as one column."""
    stripped = [ln.rstrip() for ln in lines]
    # a line holding a word too long to break (a URL, markdown's "[text](target)", a rule of
    # dashes) may overrun the margin: the margin is measured on the other lines, or on all of
    # them when that finds none (one split of the page first: most pages have no such word)
    overrun = ({k for k, s in enumerate(stripped) if len(s) > WRAP_LONG_WORD and _long_word(s)}
               if max(map(len, "\n".join(stripped).split()), default=0) > WRAP_LONG_WORD else set())
    rows = [(width(s), s) for s in stripped]
    w = _page_margin(rows, overrun, breaks=True)
    if w is not None:
        return w, width
    if all(x == len(s) for x, s in rows):  # no wide character: characters are columns
        return None
    # in characters, only a sharp margin counts: html2text breaks CJK text by bytes, and its
    # lines' breaks would pass for wrapping at a margin that is not there
    w = _page_margin([(len(s), s) for s in stripped], overrun, breaks=False)
    return None if w is None else (w, len)


def _page_margin(rows: list[tuple[int, str]], overrun: set[int], breaks: bool) -> int | None:
    """``_margin`` of the page's (width, line) ``rows``, measured without the lines in
    ``overrun`` (line numbers), or with them when that finds none."""
    if overrun:
        w = _margin(rows, [r for k, r in enumerate(rows) if r[0] and k not in overrun], breaks)
        if w is not None:
            return w
    return _margin(rows, [r for r in rows if r[0]], breaks)


def _long_word(line: str) -> bool:
    """Whether ``line`` holds a word of more than ``WRAP_LONG_WORD`` characters that a renderer
    cannot break (CJK text, which it breaks anywhere, does not count)."""
    words = line.split()
    return max(map(len, words), default=0) > WRAP_LONG_WORD and any(
        len(t) > WRAP_LONG_WORD and len(t.encode("ascii", "ignore")) > WRAP_LONG_WORD for t in words)


def _margin(rows: list[tuple[int, str]], measured: list[tuple[int, str]], breaks: bool = True) -> int | None:
    """``wrap_width`` on the (width, line) ``measured`` of the page's ``rows``; with ``breaks``,
    the renderer's breaks count as evidence too (``_broken_lines``, in display columns)."""
    if len(measured) < WRAP_MIN_LINES:
        return None
    widths = sorted(x for x, _ in measured)
    w = widths[min(len(widths) - 1, int(len(widths) * (1 - WRAP_TAIL)))]
    if not WRAP_MIN_WIDTH <= w <= WRAP_MAX_BROKEN_WIDTH:
        return None
    prose = [x for x in widths if x >= WRAP_MIN_WIDTH // 2]
    near_lines = [s for x, s in measured if w - WRAP_BAND <= x <= w]
    near = len(near_lines)
    below = sum(1 for x in prose if w - 2 * WRAP_BAND <= x < w - WRAP_BAND)
    edge = near >= WRAP_EDGE * below  # lines pile up at the margin, not just below it
    # a renderer breaks mid-sentence: some lines at the margin end in a word, not a mark
    # (verse and one-clause-a-line lists end nearly every line with punctuation)
    open_ends = sum(1 for s in near_lines if s[-1].isalnum())
    if (w > WRAP_MAX_WIDTH or near < 3 or near < WRAP_MIN_SHARE * len(prose) or not edge
            or open_ends < WRAP_OPEN_SHARE * near):
        # a page whose long menus or indented lists hide the margin in the width counts, or
        # whose margin is wider than a paragraph a line can pass for (a wide terminal): the
        # renderer's breaks themselves are the evidence
        found = _broken_lines(rows, w) if breaks and near >= WRAP_FEW_BREAKS else 0
        return w if found >= WRAP_MIN_BREAKS or found >= max(WRAP_FEW_BREAKS, WRAP_BREAK_SHARE * near) else None
    return w


def _broken_lines(rows: list[tuple[int, str]], w: int) -> int:
    """Lines within ``WRAP_BAND`` of width ``w`` that end mid-clause (in a word, a comma or a
    dash) and go on in the next line, at the same indent, with a word that would not have
    fitted: a paragraph the renderer broke at ``w``. ``rows``: (width, line) of each
    line, blank lines included (width 0)."""
    count = 0
    for (pw, prev), (x, s) in zip(rows, rows[1:]):
        if (w - WRAP_BAND <= pw <= w and x and (prev[-1].isalnum() or prev[-1] in ",;-–")
                and len(prev) - len(prev.lstrip()) == len(s) - len(s.lstrip()) and not _BULLET.match(s)
                and "   " not in prev.strip()  # columns of a table laid out side by side
                and pw + 1 + width(s.split(None, 1)[0]) > w):
            count += 1
    return count


def _cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and unicodedata.east_asian_width(ch) in _WIDE


def join_wrapped(lines: list[str], w: int, measure: Callable[[str], int] = width) -> list[str]:
    """Join each line to the next when the next one's first word would not have fitted
    (``measure``: how the renderer counted columns)."""
    out: list[str] = []
    prev_w = -1  # width of the last physical line appended to out[-1]; -1: none
    for ln in lines:
        s = ln.strip()
        if not s:
            out.append("")
            prev_w = -1
            continue
        first = s.split(None, 1)[0]
        fits = prev_w >= 0 and prev_w + 1 + measure(first) <= w
        # a short line ends its paragraph, unless it opens a markdown link that the next line
        # closes: the link's target was too long for the rest of the line
        short = 0 <= prev_w < w // 2 and not ("](" in first and out[-1].count("[") > out[-1].count("]"))
        caption = _CREDIT_START.match(s) is not None and bool(out) and ends_sentence(out[-1])
        if prev_w < 0 or fits or short or caption or _BULLET.match(ln):
            out.append(ln.rstrip())
        else:
            last = out[-1]
            sep = "" if _cjk(last[-1]) and _cjk(s[0]) else " "
            out[-1] = last + sep + s
        prev_w = measure(ln.rstrip())
    return out


def single_spaced(lines: list[str]) -> list[str] | None:
    """The lines of a double-spaced page with one blank line taken out of every gap between
    text lines (a paragraph's lines become adjacent, paragraphs stay apart); None when the
    page is not double-spaced."""
    gaps: list[int] = []  # blank lines between consecutive text lines
    blank = -1  # blank lines since the last text line; -1: no text line yet
    for ln in lines:
        if ln.strip():
            if blank >= 0:
                gaps.append(blank)
            blank = 0
        elif blank >= 0:
            blank += 1
    ones, none = gaps.count(1), gaps.count(0)
    if (len(gaps) < WRAP_MIN_LINES or none > DOUBLE_MAX_ADJACENT * len(gaps) or ones < DOUBLE_MIN_SHARE * len(gaps)
            or len(gaps) - ones - none < DOUBLE_MIN_PARAGRAPHS):
        return None
    out: list[str] = []
    after_text = False  # the previous line is a text line: the blank line after it goes
    for ln in lines:
        text = bool(ln.strip())
        if text or not after_text:
            out.append(ln)
        after_text = text
    return out


def _lines_run_to_margin(lines: list[str], w: int, measure: Callable[[str], int]) -> bool:
    """Whether most text lines followed by a text line (not a list item) end within
    ``WRAP_BAND`` of the margin ``w``: a paragraph's lines, as on a wrapped double-spaced page
    once single-spaced; not a list of short items that a blank line kept apart."""
    pairs = [measure(a.rstrip()) >= w - WRAP_BAND for a, b in zip(lines, lines[1:])
             if a.strip() and b.strip() and not _BULLET.match(b)]  # a list item starts a line of its own
    return bool(pairs) and sum(pairs) >= DOUBLE_MIN_AT_MARGIN * len(pairs)


def repair_encoding(text: str) -> str:
    """The text with mojibake re-decoded (ftfy's ``fix_encoding``, which leaves text it cannot
    explain as a wrong decoding unchanged); text without its trace is returned as is.

    Only the lines with a trace are read, together, as one text: a scraped page is often
    partly mojibake (a template decoded right, an article body wrong), and ftfy costs time in
    proportion to the text it reads. A line with "Â" before a space counts too: that is a
    no-break space (UTF-8 C2 A0) read as Windows-1252 whose second half became a space. On the
    109 mojibake pages of the four dev renderings this is 4 times faster than fixing the whole
    page and gives the same text on 108; on the other one it leaves a line that whole-page
    ftfy garbles ("Čeština") intact (BENCHMARKS.md, issue 16, ninth session)."""
    if _MOJIBAKE.search(text) is None:
        return text
    import ftfy

    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if "\u00c2 " in line or _MOJIBAKE.search(line)]
    fixed = ftfy.fix_encoding("\n".join(lines[i] for i in at)).split("\n")
    if len(fixed) != len(at):  # never seen: ftfy kept every line break so far
        return ftfy.fix_encoding(text)
    for i, line in zip(at, fixed):
        # "Â" + no-break space left in a line of its own: ftfy finds it ambiguous there
        lines[i] = line.replace("\u00c2\u00a0", "\u00a0")
    return "\n".join(lines)


def strip_markdown(page: str) -> str:
    """``page`` as text when it is markdown (at least ``MARKDOWN_MIN_LINKS`` links or images),
    else unchanged."""
    if page.count("](") < MARKDOWN_MIN_LINKS or len(_MD_LINK.findall(page)) + page.count("![") < MARKDOWN_MIN_LINKS:
        return page
    page = _MD_INLINE_IMG.sub("", _MD_LINK.sub(r"\1", page))
    page = _MD_BOLD.sub(lambda m: m.group(1) or m.group(2), page)
    page = _MD_ROW.sub(lambda m: "\n".join(c.strip() for c in m.group(1).split("|")), _MD_RULE.sub("", page))
    return _MD_ESCAPE.sub(r"\1", _MD_CODE.sub(r"\1", _MD_HEADING.sub(r"\1", page)))


def normalise_shape(text: str) -> str:
    """The page with the renderer's marks removed and hard-wrapped paragraphs joined."""
    lines = text.splitlines()
    if "References" in text or "links" in text:  # a footer's head: cheaper to look for it once
        lines = cut_link_footer(lines)
    found = None  # the margin, measured on the lines as rendered: the marks took columns too
    if "\n\n\n" in text and (single := single_spaced(lines)) is not None:
        found_single = wrap_margin(single)  # double-spaced and wrapped: joined as single-spaced
        if found_single is not None and _lines_run_to_margin(single, *found_single):
            lines, found = single, found_single
    if found is None:
        found = wrap_margin(lines)
    if found is not None:
        lines = join_wrapped(lines, *found)
    page = strip_markdown(strip_link_marks("\n".join(lines)))
    if "**" in page:
        page = _HEADING_STARS.sub(r"\1\2", page)
    return page
