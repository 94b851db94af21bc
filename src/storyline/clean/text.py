"""Language-independent cleaner for whole-page text dumps (select-all/copy of a news page).

Each line gets a weight from its shape alone (length, sentence-final punctuation, list/link
markers): long sentence lines are positive, short or menu-like lines negative. The article body
is the set of runs of lines with the largest total weight, each run after the first paying a
fixed penalty (with one run this is the maximum-sum segment of Finn et al.'s "Body Text
Extraction"; more runs let the body continue past an inline teaser or image strip), with a bonus
for a first run that starts just below the repeated headline; each run then grows over the short
sentence lines touching it (a one-line closing remark). Lines inside the body are kept unless
they look like boilerplate (image, duplicate, "read also" link, copyright, site template, a
date/time or photo-credit line, a text browser's form control);
lines outside it are dropped. Every dropped line is
reported with a short reason.

Before any of this, ``clean.shape`` undoes the text browser's shape: hard-wrapped
paragraphs are joined into one line each, lynx's link marks and "References" footer go.

A learned second pass (``clean.linemodel``, on by default) then re-decides each line from the
rules' verdict, the line's shape, its neighbours and its character n-grams; the rules' verdicts
on what a line *is* (image, duplicate, template, "read also", copyright, metadata, form) stay
final.

The title is the first substantial line, the page's ``<title>`` in a browser's copy; a text
browser prints none, so a learned headline model (``clean.headline``, on by default) picks the
headline among that line and the lines above and at the top of the body.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from storyline.clean.headline import HeadlineModel, shipped_headline_model
from storyline.clean.linemodel import SENTENCE_CLOSERS, SENTENCE_MARKS, LineModel, best_blocks, shipped_model
from storyline.clean.shape import CREDIT_LABEL, normalise_shape, repair_encoding
from storyline.types import CleanedDocument, Removed

# --- tuned constants ------------------------------------------------------------------------
# Calibrated by grid search on the even-indexed pages of the textclean dev benchmark
# (trafilatura's evaluation pages flattened to text, mostly German/English), checked on the
# odd-indexed pages (the two halves score within 0.01 F1 of each other) and on the five seed
# pages (Greek, Arabic), which must come out exactly right. BLOCK_PENALTY and EDGE_* were added
# later the same way (even pages: 0.855 -> 0.870 F1, odd: 0.838 -> 0.844); re-tuning the older
# weights together with them gained nothing beyond noise, so those were left as they were.
CJK_WEIGHT = 2.5  # a CJK/kana/hangul char counts as this many Latin chars (~chars per word)
LENGTH_CAP = 400.0  # a line longer than this weighs as if it were this long
SENTENCE_PENALTY = 40.0  # sentence line: weight = length - this
NONSENTENCE_FACTOR = 0.3  # other line: weight = length * this - NONSENTENCE_PENALTY
NONSENTENCE_PENALTY = 40.0
MARKER_PENALTY = 60.0  # weight of an image / markdown link / short "- " "* " "|" list line
WRAP_MIN_LEN = 30  # a line this long followed by a lower-case line: one hard-wrapped paragraph
ANCHOR_BONUS = 200.0  # bonus for a body starting at most ANCHOR_WINDOW lines below the headline
ANCHOR_WINDOW = 10
EDGE_MAX = 2  # a block grows over at most this many short sentence lines at each edge ...
EDGE_MIN_LEN = 20  # ... each at least this long (weighted chars)
BLOCK_PENALTY = 300.0  # a second/third body block must outweigh this plus the gap it skips
ANCHOR_MIN_LEN = 8  # a headline repeat has at least this many chars ...
ANCHOR_MIN_JACCARD = 0.5  # ... and is part of the title or shares this much of its char trigrams
TITLE_MIN_LEN = 15  # the title is the first line at least this long (weighted chars) ...
TITLE_MAX_LEN = 250  # ... and at most this long, that is not a date/number line
TITLE_SEARCH = 12  # ... among the first this many lines (else the first line)
LISTING_LABEL_LEN = 60  # a short line repeated inside the body's tail marks a teaser/comment list
LISTING_MIN_MASS = 0.5  # ... if at least this share of the body's mass comes before it
LISTING_BACKUP_LEN = 120  # ... the list starts after the last line at least this long before it
REPEAT_MAX_LEN = 100  # a non-sentence body line shorter than this also found outside: dropped
CODE_MIN_LEN = 80  # a line of code or markup (minified script, MathML, a URL blob): this long ...
CODE_MAX_SPACES = 0.1  # ... with fewer spaces than this share of its characters ...
CODE_MIN_SYMBOLS = 0.08  # ... and at least this share of them one of _CODE_SYMBOLS
LABEL_MAX_LEN = 160  # "Read also: <headline>" lines shorter than this are dropped
COPYRIGHT_MAX_LEN = 200  # a line with a copyright mark shorter than this is dropped
DATE_BEFORE = 30  # the publication date is searched this many lines above the body start ...
DATE_AFTER = 5  # ... and this many lines into the body
TEMPLATE_MIN_SHARE = 0.2  # fit(): a line seen on at least this share of pages is a template ...
TEMPLATE_MIN_PAGES = 3  # ... if that is at least this many pages
TEMPLATE_MAX_LEN = 200  # ... and it is at most this long

# --- patterns ---------------------------------------------------------------------------------
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# A sentence line ends in sentence-final punctuation (``linemodel.SENTENCE_MARKS``, in many
# scripts), optionally followed by closing quotes/brackets: its last character once those are
# stripped (no regex needed)
_SENT_CHARS = frozenset(SENTENCE_MARKS)
# Whitespace within a line (str.isspace() but "\n"), listed: the regex skips single spaces,
# the common case, which r"[^\S\n]+" would replace by themselves (twice as slow)
_LINE_SPACE = ("\t\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_INVISIBLE = str.maketrans("", "", "\ufeff\u200b")  # a byte-order mark, a zero-width space: deleted
_HSPACE = re.compile(f"[{_LINE_SPACE}]{{2,}}|[{_LINE_SPACE.replace(' ', '')}]")  # -> one space
_MD_IMAGE = r"!\[[^\]]*\]\("  # a markdown image, at the start of a line
_MD_LINK = r"\[[^\]]*\]\([^)]*\)$"  # a markdown link, the whole line
# a text browser's placeholder for an image or a form control: "[logo.png]", "[Image]", "(BUTTON)",
# or html2text's image source, a URL of any length: "[//img.example.com/2023/11/a1b2c3.jpeg]"
_PLACEHOLDER = r"(?:\[[^\[\]]{0,40}\]|\[[^\[\]\s]+\]|\((?:BUTTON|IMG|FORM)\))"
_IMAGE = re.compile(f"^{_MD_IMAGE}")
_MD_MARKER = re.compile(f"^(?:{_MD_IMAGE}|{_MD_LINK})")  # weighs as markup in the body search
# a bare address: a text browser's printout of an embedded frame or widget ("https://platform.
# twitter.com/widgets/…"), cut by at most two spaces where a wrapped line was joined, each piece
# after the first still part of an address
_URL_LINE = r"(?:https?:)?//[^\s]+(?: [^\s]*[/?=&%][^\s]*){0,2}$"
# dropped as "image"
_MARKUP_LINE = re.compile(f"^(?:{_MD_IMAGE}|{_MD_LINK}|{_URL_LINE}|{_PLACEHOLDER}(?: ?{_PLACEHOLDER})*$)")
_CODE_SYMBOLS = str.maketrans("", "", "{}();=<>|&\\^~[]")  # deleted to count them: one C-level pass
_LIST_MARK = re.compile(r"^[-*•·▪►▶»>|]\s")
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|copyright|all rights reserved", re.I)
_LABEL_LINK = re.compile(r"^[^\W\d][^:：.!?]{0,24}[:：»]\s*\S.{15,}")  # "Lea más: <headline>"
_NUMERIC_ONLY = re.compile(r"^[\W\d_]*$")  # no letters at all: counters, times, prices

_MONTHS = {  # month names (prefixes) -> month number; extra signal only
    1: ("jan", "jän", "ene", "janv", "genn", "ιαν", "янв", "يناير", "كانون الثاني"),
    2: ("feb", "fév", "fev", "febb", "φεβ", "фев", "فبراير", "شباط"),
    3: ("mar", "mär", "mrz", "μάρ", "μαρ", "мар", "مارس", "آذار"),
    4: ("apr", "abr", "avr", "απρ", "απρ", "апр", "أبريل", "ابريل", "نيسان"),
    5: ("may", "mai", "mayo", "magg", "μάι", "μαΐ", "μαι", "мая", "май", "مايو", "أيار"),
    6: ("jun", "juin", "giu", "ιούν", "ιουν", "июн", "يونيو", "حزيران"),
    7: ("jul", "juil", "lug", "ιούλ", "ιουλ", "июл", "يوليو", "تموز"),
    8: ("aug", "ago", "août", "aoû", "αύγ", "αυγ", "авг", "أغسطس", "آب"),
    9: ("sep", "set", "σεπ", "сен", "سبتمبر", "أيلول"),
    10: ("oct", "okt", "ott", "out", "οκτ", "окт", "أكتوبر", "تشرين الأول"),
    11: ("nov", "νοέ", "νοε", "ноя", "نوفمبر", "تشرين الثاني"),
    12: ("dec", "dez", "dic", "déc", "δεκ", "дек", "ديسمبر", "كانون الأول"),
}
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)\b")
_CJK_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]{3,}(?: [^\W\d_]+)?)\.?,?\s*(?:de\s+)?((?:19|20)\d\d)\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_MONTH_DAY_YEAR = re.compile(r"\b([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b")
# A line that is only a date or a time ("Dienstag, 4. Juni 2019, 15:54", "3:59 PM", "8 years,
# 2 months ago", "Aktualisiert am 11.04.2020") or only a photo credit ("Foto: Christof Stache",
# "picture alliance | Andrew Milligan"), or a caption ending in one ("... Kuva: ALEXANDER
# BECHER"): the article's metadata, not its text (``_is_metadata``)
METADATA_MAX_LEN = 60  # a date/time line is at most this long
CREDIT_MAX_LEN = 100  # a credit line at most this long ...
CAPTION_MAX_LEN = 200  # ... a caption ending in one at most this long (longer: a paragraph that a
# wrapped dump's caption was joined to)
CREDIT_TAIL_MAX = 60  # the credit after its label, at most this long
_WEEKDAYS = (  # prefixes, in the languages of _MONTHS and a few more
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "montag", "dienstag", "mittwoch", "donnerstag",
    "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "lunedì",
    "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica", "maandag", "dinsdag",
    "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "δευτέρα", "τρίτη", "τετάρτη",
    "πέμπτη", "παρασκευή", "σάββατο", "κυριακή", "понедельник", "вторник", "среда", "четверг",
    "пятница", "суббота", "воскресенье", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
    "السبت", "الأحد")
# the other words a date/time line may hold: time marks, time zones, units of a relative time,
# "published/updated/asked ... at/on/um/à/de"
_DATE_WORDS = frozenset("""
am pm uhr h at um à a de del of the on le el il y hace vor ago st nd rd th et and und
year years month months week weeks day days hour hours minute minutes min mins second seconds
jahr jahre jahren monat monate monaten woche wochen tag tage tagen stunde stunden minuten
sekunden gmt utc cet cest mez mesz est edt pst pdt bst today yesterday heute gestern stand date
datum time uhrzeit posted published updated veröffentlicht aktualisiert asked answered edited
modified publié publiée mis jour publicado actualizado pubblicato aggiornato
""".split())
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\bago\b|\bvor\b|\bhace\b", re.I)
_WORD = re.compile(r"[^\W\d_]+")
_CREDIT_LINE = re.compile(rf"^[(\[]?\s*©?\s*{CREDIT_LABEL}\s*[:©]", re.I)
_CREDIT_TAIL = re.compile(rf"[(\[]?\b{CREDIT_LABEL}\s*[:©]\s*[^.!?:]{{1,{CREDIT_TAIL_MAX}}}[)\]]?$", re.I)
_AGENCY = re.compile(r"shutterstock|getty ?images|istock|unsplash|pixabay|imago|picture[ -]alliance", re.I)
# A text browser's form control: a text field ("Name * ______"), a check box or radio button
# ("[ ] Statistiken", "( ) Yes"); a line holding one and little else (at most FORM_MAX_TEXT
# characters of text) is a form's label, not the article's
_FORM_CONTROL = re.compile(r"_{5,}|\[[ xX*]\]|\([ *]\)")
FORM_MAX_TEXT = 40


@dataclass(slots=True)
class _Line:
    text: str
    length: float  # weighted length (CJK chars count more)
    sentence: bool  # ends with sentence-final punctuation
    weight: float = 0.0
    reason: str | None = None  # why it is dropped; None = kept
    key: str = ""  # lower-cased text, for comparing lines
    listing: bool = False  # at or below the start of a teaser/comment list the rules found
    code: bool = False  # a long line of code or markup (``_is_code``)


def _weighted_len(s: str) -> float:
    if s.isascii():
        return float(len(s))
    return len(s) + (CJK_WEIGHT - 1.0) * len(_CJK.findall(s))


def _is_code(s: str) -> bool:
    """A long line of code or markup: few spaces, many brackets and operators. Prose, CJK
    included, and the one-statement-a-line code of a programming article have more spaces or
    fewer symbols (on the textclean dev pages this flags 365 unlabelled lines: minified script,
    MathML and LaTeX source, iframe URLs; and no line holding a gold snippet)."""
    n = len(s)
    return (n >= CODE_MIN_LEN and s.count(" ") < CODE_MAX_SPACES * n
            and n - len(s.translate(_CODE_SYMBOLS)) >= CODE_MIN_SYMBOLS * n)


def _key(s: str) -> str:
    """Comparison key of a line: spaces collapsed, lower-cased."""
    return " ".join(s.split()).lower()


def _grams(s: str, n: int = 3) -> set[str]:
    return {s[i : i + n] for i in range(max(1, len(s) - n + 1))}


def _month(word: str) -> int | None:
    w = word.lower()
    for num, names in _MONTHS.items():
        if any(w.startswith(n) for n in names):
            return num
    return None


def _iso(y: int, m: int, d: int) -> str | None:
    if 1 <= m <= 12 and 1 <= d <= 31 and 1990 <= y <= 2039:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def find_date(line: str) -> str | None:
    """An ISO date (YYYY-MM-DD) written in ``line`` in a common numeric or textual form."""
    if not _YEAR.search(line):  # every form below has a 4-digit year; most lines have none
        return None
    for rx, order in ((_ISO_DATE, "ymd"), (_CJK_DATE, "ymd"), (_DMY_DATE, "dmy")):
        for m in rx.finditer(line):
            parts = dict(zip(order, map(int, m.groups())))
            iso = _iso(parts["y"], parts["m"], parts["d"])
            if iso:
                return iso
    for m in _DAY_MONTH_YEAR.finditer(line):
        month = _month(m.group(2))
        if month and (iso := _iso(int(m.group(3)), month, int(m.group(1)))):
            return iso
    for m in _MONTH_DAY_YEAR.finditer(line):
        month = _month(m.group(1))
        if month and (iso := _iso(int(m.group(3)), month, int(m.group(2)))):
            return iso
    return None


def _is_date_line(line: str) -> bool:
    """Only a date or a time: a date or time form, and no word but month and weekday names
    and the words of ``_DATE_WORDS``."""
    if len(line) > METADATA_MAX_LEN or (_TIME.search(line) is None and find_date(line) is None):
        return False
    return all(word in _DATE_WORDS or (len(word) <= 11 and (word.startswith(_WEEKDAYS) or _month(word)))
               for word in _WORD.findall(line.lower()))


def _is_metadata(line: str) -> bool:
    """A date/time line, a photo credit, or a caption that ends in one (at most
    METADATA_MAX_LEN, CREDIT_MAX_LEN and CAPTION_MAX_LEN characters)."""
    if _is_date_line(line):
        return True
    labelled = ":" in line or "©" in line  # a credit's label ends in one (a cheap test first)
    if len(line) <= CREDIT_MAX_LEN and (
        (labelled and _CREDIT_LINE.match(line)) or (_AGENCY.search(line) and len(line.split()) <= 8
                                                    and line.rstrip()[-1:] not in _SENT_CHARS)):
        return True
    return labelled and len(line) <= CAPTION_MAX_LEN and _CREDIT_TAIL.search(line) is not None


def _is_form(line: str) -> bool:
    """A form control with at most ``FORM_MAX_TEXT`` characters of other text around it."""
    if "_" not in line and "[" not in line and "(" not in line:  # a cheap test first
        return False
    rest = _FORM_CONTROL.sub("", line)
    return len(rest) < len(line) and len(rest.strip(" *:")) <= FORM_MAX_TEXT


class TextCleaner:
    """Extract the article (title, body paragraphs, date) from a whole-page text dump."""

    def __init__(
        self,
        sentence_penalty: float = SENTENCE_PENALTY,
        nonsentence_factor: float = NONSENTENCE_FACTOR,
        nonsentence_penalty: float = NONSENTENCE_PENALTY,
        marker_penalty: float = MARKER_PENALTY,
        length_cap: float = LENGTH_CAP,
        anchor_bonus: float = ANCHOR_BONUS,
        anchor_window: int = ANCHOR_WINDOW,
        block_penalty: float = BLOCK_PENALTY,
        model: LineModel | None = None,
        learned: bool = True,
        headline: HeadlineModel | None = None,
    ) -> None:
        """``model``: the learned second pass (default: the shipped one); ``headline``: the
        headline model (default: the shipped one); ``learned=False``: rules only, the title the
        rules' (the first substantial line)."""
        self.model = model if model is not None else (shipped_model() if learned else None)
        self.headline = headline if headline is not None else (shipped_headline_model() if learned else None)
        self.block_penalty = block_penalty
        self.sentence_penalty = sentence_penalty
        self.nonsentence_factor = nonsentence_factor
        self.nonsentence_penalty = nonsentence_penalty
        self.marker_penalty = marker_penalty
        self.length_cap = length_cap
        self.anchor_bonus = anchor_bonus
        self.anchor_window = anchor_window
        self.templates: frozenset[str] = frozenset()

    # -- corpus pass ------------------------------------------------------------------------
    def fit(self, texts: list[str]) -> "TextCleaner":
        """Learn lines that recur across many pages (site templates); clean() then drops them."""
        counts: Counter[str] = Counter()
        for t in texts:
            # lines read as clean() reads them (mojibake repaired), so a template matches its line
            counts.update({_key(html.unescape(ln)) for ln in repair_encoding(t).splitlines() if ln.strip()})
        need = max(TEMPLATE_MIN_PAGES, TEMPLATE_MIN_SHARE * len(texts))
        self.templates = frozenset(
            k for k, v in counts.items() if v >= need and len(k) <= TEMPLATE_MAX_LEN
        )
        return self

    # -- main entry -------------------------------------------------------------------------
    def clean(self, text: str) -> CleanedDocument:
        """Return the title, body paragraphs, dropped lines (with reasons) and date of a page."""
        lines = self._split(text)  # 1. unescape, normalise spaces, drop empty lines
        if not lines:
            return CleanedDocument(title=None, paragraphs=())
        title_at, start, end, anchor = self._rule_pass(lines)  # 2.-8. title, body block, boilerplate
        # 9. the headline: the rules' title, or the line the headline model prefers
        head = self.headline.choose(lines, title_at, anchor) if self.headline is not None else title_at
        if self.model is not None:
            self._model_pass(lines, start, end, title_at)  # 10. learned second opinion per line
        if head != title_at:  # the first substantial line was a menu or the page's <title>
            lines[title_at].reason = "before-body" if title_at < start else "page-title"
            lines[head].reason = "title"
        title = lines[head].text
        date = self._find_date(lines, start)  # 11. publication date near the body start
        return CleanedDocument(
            title=title,
            paragraphs=tuple([ln.text for ln in lines if ln.reason is None]),
            removed=tuple([Removed(ln.text, ln.reason) for ln in lines if ln.reason not in (None, "title")]),
            date=date,
        )

    # Rule verdicts on what a line *is* are final; the model arbitrates where the body ends
    # (before/after/between blocks) and drops prose-like boilerplate inside it.
    FINAL_REASONS = frozenset({"image", "code", "duplicate", "template", "repeated", "read-also", "copyright",
                               "number-only", "metadata", "form"})

    def analyse(self, text: str) -> tuple[list[_Line], int, int, int]:
        """The page's lines after the rule pass, with (title line, body start, body end);
        what the learned model reads (and is trained on)."""
        lines = self._split(text)
        if not lines:
            return lines, 0, 0, 0
        return (lines, *self.rule_pass(lines))

    def rule_pass(self, lines: list[_Line]) -> tuple[int, int, int]:
        """Mark each line kept (reason None) or dropped by the rules; (title line, body start, end)."""
        return self._rule_pass(lines)[:3]

    def _rule_pass(self, lines: list[_Line]) -> tuple[int, int, int, int | None]:
        """``rule_pass``, and the line repeating the title (None: none does)."""
        title_at = self._find_title(lines)  # title: first substantial line
        anchor = self._find_anchor(lines, title_at)  # where the headline is repeated
        self._weigh(lines)  # per-line weights from line shape
        blocks = self._body_blocks(lines, anchor)  # max-sum body block(s)
        blocks = self._widen(lines, blocks, title_at)  # plus short sentences at their edges
        start, end = blocks[0][0], blocks[-1][1]
        cut = self._cut_listing(lines, start, end)  # stop where a teaser/comment list begins
        if cut < end:
            for ln in lines[cut:]:
                ln.listing = True
            end = cut
        self._mark_outside(lines, blocks, start, end)  # everything outside the body goes
        self._mark_inside(lines, start, end, lines[title_at].text)  # boilerplate in the body
        lines[title_at].reason = "title"
        return title_at, start, end, anchor

    def _model_pass(self, lines: list[_Line], start: int, end: int, title_at: int) -> None:
        """The learned model decides each line; the rules' reason stays on lines both drop."""
        assert self.model is not None
        keep, p = self.model.keep(lines, start, end, title_at)
        for i, (ln, k, q) in enumerate(zip(lines, keep.tolist(), p.tolist())):
            if i == title_at or ln.reason in self.FINAL_REASONS:
                continue
            if k:
                ln.reason = None
            elif ln.reason is None:
                ln.reason = f"model (p={q:.2f})"
        self._mark_inside(lines, 0, len(lines), lines[title_at].text)  # lines it brought back, too

    # -- steps ------------------------------------------------------------------------------
    @staticmethod
    def _split(text: str) -> list[_Line]:
        # whole-page string operations: every line break becomes "\n", every other run of
        # whitespace one space, invisible characters (a byte-order mark, a zero-width space)
        # go; then the page is cut into lines once, and lower-cased once
        if "\ufeff" in text or "\u200b" in text:
            text = text.translate(_INVISIBLE)
        page = _HSPACE.sub(" ", normalise_shape(html.unescape(repair_encoding(text))))
        texts = [t.strip(" ") for t in page.split("\n")]
        keys = [t.strip(" ") for t in page.lower().split("\n")]
        out = []
        for s, key in zip(texts, keys):
            if s:
                out.append(_Line(s, _weighted_len(s), s.rstrip(SENTENCE_CLOSERS)[-1:] in _SENT_CHARS, key=key))
        return out

    @staticmethod
    def _find_title(lines: list[_Line]) -> int:
        for i, ln in enumerate(lines[:TITLE_SEARCH]):
            if (
                TITLE_MIN_LEN <= ln.length <= TITLE_MAX_LEN
                and not _NUMERIC_ONLY.match(ln.text)
                and not (find_date(ln.text) and len(ln.text.split()) <= 6)
                and not _IMAGE.match(ln.text)
            ):
                return i
        return 0

    @staticmethod
    def _find_anchor(lines: list[_Line], title_at: int) -> int | None:
        """First later line repeating (part of) the title: usually the headline above the body."""
        title = lines[title_at].key
        tg = _grams(title)
        for i in range(title_at + 1, len(lines)):
            s = lines[i].key
            if not ANCHOR_MIN_LEN <= len(s) <= TITLE_MAX_LEN:
                continue
            if s in title and len(s) >= 0.3 * len(title):
                return i
            if max(1, len(s) - 2) <= ANCHOR_MIN_JACCARD * len(tg):
                continue  # too few trigrams to share that much of the title's
            lg = _grams(s)
            if len(tg & lg) > ANCHOR_MIN_JACCARD * len(tg | lg):
                return i
        return None

    def _line_weight(self, length: float, sentence: bool) -> float:
        n = min(length, self.length_cap)
        if sentence:
            return n - self.sentence_penalty
        return n * self.nonsentence_factor - self.nonsentence_penalty

    def _weigh(self, lines: list[_Line]) -> None:
        for ln in lines:
            if _MD_MARKER.match(ln.text):
                ln.weight = -self.marker_penalty
            elif _is_code(ln.text):
                ln.code = True
                ln.weight = -self.marker_penalty
            elif _LIST_MARK.match(ln.text) and not ln.sentence:
                ln.weight = -self.marker_penalty
            else:
                ln.weight = self._line_weight(ln.length, ln.sentence)
        self._merge_wrapped(lines)

    def _merge_wrapped(self, lines: list[_Line]) -> None:
        """A hard-wrapped paragraph (next line starts lower-case) weighs as one long line."""
        i = 0
        while i < len(lines):
            j = i
            while (
                j + 1 < len(lines)
                and not lines[j].sentence
                and lines[j].length >= WRAP_MIN_LEN
                and lines[j + 1].text[:1].islower()
                and not lines[j].code  # minified script goes on in lower case too
                and not lines[j + 1].code
            ):
                j += 1
            if j > i:
                group = lines[i : j + 1]
                lines[i].weight = self._line_weight(sum(g.length for g in group), lines[j].sentence)
                for ln in group[1:]:
                    ln.weight = 0.0
            i = j + 1

    def _body_blocks(self, lines: list[_Line], anchor: int | None) -> list[tuple[int, int]]:
        """Blocks [start, end) of lines maximising sum(weight) - BLOCK_PENALTY * (blocks - 1).

        The best single block is Finn et al.'s max-sum segment; a further dense block (e.g. the
        body's continuation after an inline teaser or image strip) is added when its weight
        outweighs BLOCK_PENALTY plus the gap lines it skips. The first block gets ANCHOR_BONUS
        when it starts just below the repeated headline.
        """
        bonus = [
            self.anchor_bonus if anchor is not None and anchor < i <= anchor + self.anchor_window else 0.0
            for i in range(len(lines))
        ]
        keep = best_blocks([ln.weight for ln in lines], self.block_penalty, bonus)
        blocks, i = [], 0
        while i < len(lines):
            if keep[i]:
                j = i
                while j < len(lines) and keep[j]:
                    j += 1
                blocks.append((i, j))
                i = j
            else:
                i += 1
        return blocks or [(0, 0)]

    @staticmethod
    def _widen(lines: list[_Line], blocks: list[tuple[int, int]], title_at: int) -> list[tuple[int, int]]:
        """Grow each block over up to EDGE_MAX adjacent short sentence lines (a one-line closing
        remark weighs negative on its own but belongs to the paragraph run it touches)."""
        out = []
        for s, e in blocks:
            if s >= e:
                out.append((s, e))
                continue
            k = 0
            while k < EDGE_MAX and s - 1 > title_at and lines[s - 1].sentence and lines[s - 1].length >= EDGE_MIN_LEN:
                s, k = s - 1, k + 1
            k = 0
            while k < EDGE_MAX and e < len(lines) and lines[e].sentence and lines[e].length >= EDGE_MIN_LEN:
                e, k = e + 1, k + 1
            out.append((s, e))
        merged = [out[0]]
        for s, e in out[1:]:
            if s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    @staticmethod
    def _cut_listing(lines: list[_Line], start: int, end: int) -> int:
        """End the body before a list (teasers, comments) marked by a repeated short label line."""
        where: dict[str, list[int]] = {}
        for i, ln in enumerate(lines):
            if not ln.sentence and ln.length < LISTING_LABEL_LEN:
                where.setdefault(ln.key, []).append(i)
        total = sum(max(ln.weight, 0.0) for ln in lines[start:end])
        mass = 0.0
        for k in range(start + 1, end):
            mass += max(lines[k - 1].weight, 0.0)
            hits = where.get(lines[k].key, ())
            if len(hits) >= 2 and hits[0] == k and hits[1] < end and mass >= LISTING_MIN_MASS * total:
                while k - 1 > start and lines[k - 1].length < LISTING_BACKUP_LEN:
                    k -= 1
                return k
        return end

    @staticmethod
    def _mark_outside(lines: list[_Line], blocks: list[tuple[int, int]], start: int, end: int) -> None:
        inside = [False] * len(lines)
        for s, e in blocks:
            for i in range(s, min(e, end)):
                inside[i] = True
        for i, ln in enumerate(lines):
            if i < start:
                ln.reason = "before-body"
            elif i >= end:
                ln.reason = "after-body"
            elif not inside[i]:
                ln.reason = "between-blocks"

    def _mark_inside(self, lines: list[_Line], start: int, end: int, title: str) -> None:
        """Drop the kept lines in [start, end) that are boilerplate by what they are (an image,
        a duplicate, a site template, a label repeated outside the body, "read also", a
        copyright line, a bare number, a date/time or photo-credit line, a form control),
        whatever their position."""
        outside = {ln.key for ln in lines if ln.reason is not None}
        seen = {_key(title)}
        for ln in lines[start:end]:
            if ln.reason is not None:  # dropped already (e.g. between two body blocks)
                continue
            key = ln.key
            if _MARKUP_LINE.match(ln.text):
                ln.reason = "image"
            elif ln.code:
                ln.reason = "code"
            elif key in seen:
                ln.reason = "duplicate"
            elif key in self.templates:
                ln.reason = "template"
            elif not ln.sentence and ln.length < REPEAT_MAX_LEN and key in outside:
                ln.reason = "repeated"
            elif not ln.sentence and ln.length < LABEL_MAX_LEN and _LABEL_LINK.match(ln.text):
                ln.reason = "read-also"
            elif ln.length < COPYRIGHT_MAX_LEN and _COPYRIGHT.search(ln.text):
                ln.reason = "copyright"
            elif _NUMERIC_ONLY.match(ln.text):
                ln.reason = "number-only"
            elif _is_metadata(ln.text):
                ln.reason = "metadata"
            elif _is_form(ln.text):
                ln.reason = "form"
            seen.add(key)

    @staticmethod
    def _find_date(lines: list[_Line], start: int) -> str | None:
        """First date in the lines around the body start (header first, then the body top)."""
        lo = max(0, start - DATE_BEFORE)
        order = list(range(start - 1, lo - 1, -1)) + list(range(start, min(len(lines), start + DATE_AFTER)))
        for i in order:
            ln = lines[i]
            if ln.length <= TITLE_MAX_LEN and not _IMAGE.match(ln.text) and (iso := find_date(ln.text)):
                return iso
        return None
