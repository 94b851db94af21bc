"""Presentation helpers for the templates: language names and direction, safe links, charts.

Pure functions of already-computed data; no database, no request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

# Names of languages in themselves, for the language selector; unknown codes show as codes.
LANGUAGE_NAMES = {
    "ar": "العربية", "bg": "Български", "ca": "Català", "cs": "Čeština", "da": "Dansk",
    "de": "Deutsch", "el": "Ελληνικά", "en": "English", "es": "Español", "fa": "فارسی",
    "fi": "Suomi", "fr": "Français", "he": "עברית", "hi": "हिन्दी", "hu": "Magyar",
    "id": "Bahasa Indonesia", "it": "Italiano", "ja": "日本語", "ko": "한국어", "nl": "Nederlands",
    "no": "Norsk", "pl": "Polski", "pt": "Português", "ro": "Română", "ru": "Русский",
    "sv": "Svenska", "tr": "Türkçe", "uk": "Українська", "ur": "اردو", "vi": "Tiếng Việt",
    "zh": "中文",
}
# Scripts written right to left: their text gets dir="rtl" (others dir="auto").
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ku"})
# Colours of the languages in charts (cycled; distinct for the first ten).
PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777", "#0891b2",
           "#65a30d", "#9333ea", "#ea580c")


def language_name(code: str | None) -> str:
    """The language's own name ("Ελληνικά"), or the code when unknown."""
    if not code:
        return "?"
    return LANGUAGE_NAMES.get(code, code)


def text_dir(lang: str | None) -> str:
    """The ``dir`` attribute for text in ``lang``: "rtl" for right-to-left scripts, else
    "auto" (the browser decides from the first strong character)."""
    return "rtl" if lang in RTL_LANGUAGES else "auto"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link, else None: an article's URL is untrusted input and a
    ``javascript:`` or ``data:`` link would run in the reader's browser."""
    if not url or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def language_colour(lang: str, languages: Sequence[str]) -> str:
    """A stable colour per language within one chart (its position in ``languages``)."""
    try:
        k = list(languages).index(lang)
    except ValueError:
        k = len(languages)
    return PALETTE[k % len(PALETTE)]


def _parse(day: str) -> date | None:
    try:
        return date.fromisoformat(day[:10])
    except (TypeError, ValueError):
        return None


def day_bars(days: Sequence[Mapping[str, Any]], width: float, height: float,
             languages: Sequence[str] = (), gap: float = 1.0,
             span: tuple[str | None, str | None] | None = None) -> list[dict[str, Any]]:
    """Bars of a per-day chart over the whole span (days without articles included).

    ``days`` are {"day", "count"[, "by_lang"]}. With ``languages`` each bar is stacked by
    language; ``span`` (first, last day) fixes the time axis, so that charts of several
    stories line up. Returns rectangles {x, y, w, h, fill, title} in a ``width`` x ``height``
    box.
    """
    parsed = [(d, _parse(str(d.get("day")))) for d in days]
    parsed = [(d, when) for d, when in parsed if when is not None]
    if not parsed:
        return []
    first = min(when for _, when in parsed)
    last = max(when for _, when in parsed)
    if span is not None:
        first = min(first, _parse(span[0] or "") or first)
        last = max(last, _parse(span[1] or "") or last)
    days_spanned = (last - first).days + 1
    peak = max(int(d.get("count", 0)) for d, _ in parsed) or 1
    slot = width / days_spanned
    w = max(slot - gap, 2.0)
    rects: list[dict[str, Any]] = []
    for d, when in sorted(parsed, key=lambda p: p[1]):
        x = round((when - first).days * slot, 2)
        count = int(d.get("count", 0))
        by_lang = d.get("by_lang") or {}
        if languages and by_lang:
            y = height
            for lang in sorted(by_lang, key=lambda g: (language_colour(g, languages), g)):
                h = height * int(by_lang[lang]) / peak
                y -= h
                rects.append({"x": x, "y": round(y, 2), "w": round(w, 2), "h": round(h, 2),
                              "fill": language_colour(lang, languages),
                              "title": f"{when.isoformat()}: {by_lang[lang]} {lang}"})
        else:
            h = max(height * count / peak, 1.0)
            rects.append({"x": x, "y": round(height - h, 2), "w": round(w, 2), "h": round(h, 2),
                          "fill": PALETTE[0], "title": f"{when.isoformat()}: {count}"})
    return rects


def date_span(stories: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """The first and last day of a list of stories (the front page's common time axis)."""
    firsts = [str(s["first_date"]) for s in stories if s.get("first_date")]
    lasts = [str(s["last_date"]) for s in stories if s.get("last_date")]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def span_label(first: str | None, last: str | None) -> str:
    """"2026-03-14" or "2026-03-14 – 2026-03-16" (or "" without dates)."""
    if not first:
        return ""
    return first if not last or last == first else f"{first} – {last}"


def group_by_language(articles: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[Any]]]:
    """Articles grouped by language, the most reported language first."""
    groups: dict[str, list[Any]] = {}
    for a in articles:
        groups.setdefault(str(a.get("lang") or "?"), []).append(a)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def page_window(total: int, offset: int, limit: int) -> dict[str, int | None]:
    """Previous/next offsets of a paged list (None at either end)."""
    return {"prev": max(offset - limit, 0) if offset > 0 else None,
            "next": offset + limit if offset + limit < total else None,
            "first": offset + 1 if total else 0, "last": min(offset + limit, total)}




def query_string(**params: Any) -> str:
    """``?a=1&b=x`` from the parameters that are set (for links that keep the filters)."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


__all__ = ["LANGUAGE_NAMES", "RTL_LANGUAGES", "date_span", "day_bars", "group_by_language",
           "language_colour", "language_name", "page_window", "query_string", "safe_url", "span_label",
           "text_dir"]
