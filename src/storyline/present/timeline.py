"""Timeline: a story's articles by publication day, with its first report, peak and last."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from storyline.types import Article


def timeline(articles: Sequence[Article]) -> dict[str, Any]:
    """Day buckets (``count`` and ``by_lang``), first/peak/last day, first report per language.

    Articles without a date are counted in ``undated``, not placed on a day. The peak is the
    day with most articles (the earliest of equals); a language's first report is its
    earliest dated article (ties: the smallest id, so the view is deterministic).
    """
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date[:10], a.id))
    per_day: dict[str, Counter[str]] = {}
    for a in dated:
        per_day.setdefault(a.date[:10], Counter())[a.lang] += 1
    days = [{"day": day, "count": sum(c.values()), "by_lang": dict(sorted(c.items()))}
            for day, c in sorted(per_day.items())]
    first_by_lang: dict[str, dict[str, str]] = {}
    for a in dated:
        first_by_lang.setdefault(a.lang, {"day": a.date[:10], "article_id": a.id})
    peak = max(days, key=lambda d: d["count"])["day"] if days else None
    return {"days": days, "first": days[0]["day"] if days else None, "peak": peak,
            "last": days[-1]["day"] if days else None,
            "first_by_lang": dict(sorted(first_by_lang.items())),
            "undated": len(articles) - len(dated)}
