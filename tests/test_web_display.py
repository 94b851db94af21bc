"""The web pages' presentation helpers: link safety, text direction, chart geometry."""

from __future__ import annotations

import pytest

from storyline.web import display


@pytest.mark.parametrize("url,ok", [
    ("https://example.org/a?b=1", True), ("http://example.org", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False), ("//example.org", False),
    ("vbscript:x", False), ("https://", False), (None, False), ("http://[::1", False)])
def test_only_http_links_are_links(url, ok):
    assert (display.safe_url(url) is not None) is ok


def test_text_direction():
    assert display.text_dir("ar") == "rtl" and display.text_dir("fa") == "rtl"
    assert display.text_dir("el") == "auto" and display.text_dir(None) == "auto"
    assert display.language_name("el") == "Ελληνικά" and display.language_name("xx") == "xx"


def test_day_bars_span_and_stacking():
    days = [{"day": "2026-03-14", "count": 2, "by_lang": {"en": 1, "ar": 1}},
            {"day": "2026-03-16", "count": 1, "by_lang": {"en": 1}}]
    plain = display.day_bars(days, 90, 30)
    assert [r["x"] for r in plain] == [0, 60] and plain[0]["h"] == 30 and plain[1]["h"] == 15
    stacked = display.day_bars(days, 90, 30, languages=["ar", "en"])
    assert len(stacked) == 3 and sum(r["h"] for r in stacked[:2]) == 30
    # a common axis: the same story drawn on a longer span is narrower and shifted
    wide = display.day_bars(days, 90, 30, span=("2026-03-11", "2026-03-19"))
    assert wide[0]["x"] == 30 and wide[0]["w"] < plain[0]["w"]
    assert display.day_bars([{"day": "not a date", "count": 1}], 90, 30) == []


def test_date_span_and_paging():
    stories = [{"first_date": "2026-02-11", "last_date": "2026-02-12"},
               {"first_date": None, "last_date": None},
               {"first_date": "2026-01-05", "last_date": "2026-08-09"}]
    assert display.date_span(stories) == ("2026-01-05", "2026-08-09")
    assert display.page_window(45, 20, 20) == {"prev": 0, "next": 40, "first": 21, "last": 40}
    assert display.query_string(q="a b", lang=None, hl="") == "?q=a+b"
