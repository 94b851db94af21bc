"""Text shape: hard-wrapped lines, text-browser marks, footers; the cleaner in every shape and
script (Latin, Arabic, Greek, Cyrillic, CJK pages written by the team, tests/pages_multiscript.py)."""

from __future__ import annotations

import pytest
from pages_multiscript import (
    PAGES,
    double_spaced_page,
    lynx_page,
    markdown_page,
    paragraph_page,
    wrap_line,
    wrapped_page,
)

from storyline.clean.shape import (
    cut_link_footer,
    join_wrapped,
    normalise_shape,
    repair_encoding,
    single_spaced,
    strip_link_marks,
    strip_markdown,
    width,
    wrap_width,
)
from storyline.clean.text import TextCleaner


def _norm(s: str) -> str:
    return " ".join(s.split())


def test_width_counts_wide_characters_twice():
    assert width("abc") == 3
    assert width("河谷abc") == 7
    assert width("Ελλάδα") == 6


def test_mojibake_is_re_decoded_and_clean_text_left_alone():
    # UTF-8 read as Windows-1252, as in 37 pages of the textclean benchmark
    bad = "Für die Größe: „Zitat“ – café"
    mangled = bad.encode("utf-8").decode("cp1252")
    assert mangled != bad and repair_encoding(mangled) == bad
    for text in ("SÃO PAULO (Reuters) – Grèce, Ελλάδα, مصر", "Preis: 3 € · 2ª edição", bad):
        assert repair_encoding(text) == text  # no trace of a wrong decoding: unchanged
    page = "\n".join(["Home | News", "", "Stadt prüft das Trinkwasser",
                       "Auf Nachfrage führte die Gemeinde weiter aus, dass geringe Mengen des Bakteriums "
                       "gefunden wurden und das Wasser vorsorglich abgekocht werden muss.",
                       "Die Gemeinde informiert die Bevölkerung über die nächsten Schritte der Behörden."])
    doc = TextCleaner().clean(page.encode("utf-8").decode("cp1252", errors="replace"))
    assert "Auf Nachfrage führte die Gemeinde" in " ".join(doc.paragraphs)


def test_mojibake_repaired_line_by_line_on_a_partly_mangled_page():
    # a template decoded right, an article body read as Windows-1252: only the body changes
    good = ["Startseite – Über uns – Kontakt", "Grèce, Ελλάδα, Čeština"]
    body = ["Für die Größe des Spitals: „ein Erfolg“ – sagte der Direktor.",
            "Rund 15000 Menschen erlebten das\u00a0Spital live."]
    mangled = [line.encode("utf-8").decode("cp1252") for line in body]
    assert "\u00c2\u00a0" in mangled[1]
    page = "\n".join([*good, *mangled, "", "Zurück"])
    assert repair_encoding(page) == "\n".join([*good, *body, "", "Zurück"])
    # the no-break space's second byte lost to a plain space upstream: "dasÂ Spital"
    lost = mangled[0] + "\n" + mangled[1].replace("\u00c2\u00a0", "\u00c2 ")
    assert repair_encoding(lost).split("\n")[0] == body[0]
    assert "\u00c2" not in repair_encoding(lost)


def test_link_marks_and_footer_go():
    assert strip_link_marks("see [12]the report and [3]https://x.org") == "see the report and https://x.org"
    assert strip_link_marks("a footnote[1] stays") == "a footnote[1] stays"  # not glued to a link
    lines = ["body", "References", "", "   Visible links:", "   1. https://a.org/x", "   2. file://b",
             "   Hidden links:", "   3. https://c.org/with space"]
    assert cut_link_footer(lines) == ["body"]
    assert cut_link_footer(["References", "A list of sources follows in the text."]) == [
        "References", "A list of sources follows in the text."]
    # elinks -dump: a link's title, then its target on an indented line of its own
    elinks = ["body", "References", "", "   Visible links", "   1. https://a.org/x", "   2. Twitter",
              "\thttps://twitter.com/someone", "   3. الحياة الوطنية", "\tfile:///sections/x",
              "   Invisible links", "   4. https://c.org/pixel.gif"]
    assert cut_link_footer(elinks) == ["body"]
    sources = ["body", "References", "1. Smith, J. (2019). Rivers in flood. Hydrology 4.",
               "2. Jones, K. (2020). After the rain. Water Research 12."]
    assert cut_link_footer(sources) == sources  # an article's own reference list stays


def test_wrapped_paragraphs_are_joined_and_blocks_kept():
    para = ("Flood waters in the river valley began to recede on Wednesday, three days after heavy "
            "rain pushed the river over its banks and forced people to leave their homes.")
    lines = ["  • Home", "  • World", "", *wrap_line(para, 60), "", "Short line.", "Another short one.",
             *wrap_line(para, 60)]
    assert wrap_width(lines) == 60 or wrap_width(lines) is not None
    out = join_wrapped(lines, wrap_width(lines) or 60)
    assert out[:2] == ["  • Home", "  • World"]  # list items stay lines
    assert para in out  # the paragraph is one line again
    assert "Short line." in out and "Another short one." in out  # short lines are not joined
    assert out.count(para) == 2


def test_margin_hidden_by_a_long_indented_menu_is_still_found():
    # lynx -dump of a ministry press page: hundreds of indented menu lines of every width
    # (as in 42 of the 472 lynx renderings of the textclean dev pages) bury the right margin
    # in the width counts; the paragraphs broken mid-clause at that margin give it away
    para = ("Potsdam – Zum Ende des Jagdjahres ist die landesweite allgemeine Erlegungsprämie für "
            "Schwarzwild ausgelaufen. In den drei Jahren ihrer Gültigkeit zahlte das Land insgesamt "
            "3,3 Millionen Euro an die antragstellenden Jägerinnen und Jäger aus, die sie beantragt hatten.")
    menu = []
    for k in range(120):
        item = f"Link zur Seite: Abteilung {k} – " + "Referat für Umwelt und Landwirtschaft "[: 4 + (k * 7) % 26]
        menu += [" " * (6 + 3 * (k % 4)) + "+ " + item.strip(), " " * (8 + 3 * (k % 4)) + item.strip()]
    body = [line for _ in range(3) for line in ["", *("   " + x for x in wrap_line(para, 71))]]
    lines = menu + body
    assert wrap_width(lines) is not None
    assert para in [x.strip() for x in normalise_shape("\n".join(lines)).split("\n")]
    unwrapped = menu + ["", para, "", para]  # one paragraph a line: no breaks to find
    assert normalise_shape("\n".join(unwrapped)) == "\n".join(unwrapped)


def test_page_dumped_on_a_wide_terminal_is_joined_but_side_by_side_columns_are_not():
    # w3m -dump -cols 120 (a wide terminal): the margin is past the widths a page laid out one
    # paragraph a line can reach by chance, so the renderer's own breaks must show it; a table
    # laid out in columns side by side ends lines mid-word too, but pads its columns with spaces
    para = ("Flood waters in the river valley began to recede on Wednesday, three days after heavy "
            "rain pushed the river over its banks and forced people to leave their homes, the "
            "regional authorities said in a statement published late on Wednesday evening.")
    menu = ["  • Home", "  • World", "  • Sport", ""]
    lines = menu + [x for _ in range(3) for x in [*wrap_line(para, 118), ""]]
    assert wrap_width(lines) is not None
    assert para in normalise_shape("\n".join(lines)).split("\n")
    short = wrapped_page(PAGES["en"], 118).split("\n")  # four paragraphs, each broken once
    assert wrap_width(short) is not None
    assert all(p in normalise_shape("\n".join(short)).split("\n") for p in PAGES["en"]["body"])
    left, right = wrap_line(para, 55), wrap_line(para.upper(), 55)
    table = menu + [f"{a:<58}{b}" for _ in range(3) for a, b in zip(left, right)]
    assert wrap_width(table) is None


def test_double_spaced_page_is_joined_but_a_blank_line_after_every_line_alone_is_not():
    # typescript, some e-mail and wire copy: a blank line after every line, two or more between
    # paragraphs; the shipped dev dump puts one blank line after every line of the page, wrapped
    # in its HTML source or not, and is never read as double-spaced
    for lang, page in PAGES.items():
        text = double_spaced_page(page)
        out = normalise_shape(text).split("\n")
        assert all(para in out for para in page["body"]), lang
        assert single_spaced(wrapped_page(page).split("\n")) is None, lang  # adjacent lines
        blank_after_every_line = "\n\n".join(line for line in paragraph_page(page).split("\n") if line)
        assert single_spaced(blank_after_every_line.split("\n")) is None, lang  # no gap of two
        assert normalise_shape(blank_after_every_line) == blank_after_every_line, lang
    # double-spaced but not wrapped (one paragraph a line): the lines stay as they are
    unwrapped = "\n\n".join(paragraph_page(PAGES["en"]).split("\n"))
    assert single_spaced(unwrapped.split("\n")) is not None
    assert normalise_shape(unwrapped) == unwrapped
    # a menu of long items, a blank line after each (elinks, a ministry's site) above a wrapped
    # article: the items do not run to the margin, so they are not read as a paragraph's lines
    items = [f"   Aktuelles und Übersicht: Grundsicherung / Arbeitslosengeld {k}" for k in "IVX"]
    menu = [x for k in items for sub in (k, "Anspruchsvoraussetzungen", "Höhe", "Anspruchsdauer", "Bildungspaket", "")
            for x in ("", sub if sub in (k, "") else "   " + sub)]  # two blank lines after each group
    article = [x for line in wrap_line(PAGES["en"]["body"][0], 72, "   ") for x in ("", line)]
    page = "\n".join(["   Startseite", *menu, *article])
    assert all(k in normalise_shape(page).split("\n") for k in items)


def test_unwrapped_pages_keep_their_lines():
    for lang, page in PAGES.items():
        text = paragraph_page(page)
        assert normalise_shape(text) == text, lang


def test_verse_is_not_taken_for_a_wrapped_page():
    verse = ["The river song"] + [
        "We walked along the river when the morning light was grey,",
        "and every stone we passed had something old and kind to say.",
        "Sing the river home, sing the river home.",
        "The boats were tied and quiet and the gulls were far away,",
        "the town was still asleep and it was early in the day.",
        "Sing the river home, sing the river home.",
        "We stopped beside the bridge and watched the water find its way,",
        "and then we turned and walked back home to start another day.",
        "Sing the river home, sing the river home."]
    assert wrap_width(verse) is None  # lines of one length, but each ends a clause
    doc = TextCleaner().clean("\n".join(verse))
    kept = [doc.title, *doc.paragraphs]
    assert all(line in kept for line in verse[1:])  # a page that is all article: all kept


def test_markdown_reads_as_the_text_a_browser_shows():
    md = "\n".join([
        "-   [Home](https://x.org/) [![logo](https://x.org/logo.png)](/)", "[![logo](https://x.org/logo.png)](/)",
        "## Floods recede ##", "",
        "The **river** fell by [two metres](https://x.org/a_(b) \"gauge\") overnight, said the "
        "\\[agency\\]![chart](c.png).", "", "![Sandbags](https://x.org/s.jpg)", "-   [Sport](/sport)"])
    assert strip_markdown(md).split("\n") == [
        "-   Home", "![logo](https://x.org/logo.png)", "Floods recede", "",
        "The river fell by two metres overnight, said the [agency].", "", "![Sandbags](https://x.org/s.jpg)",
        "-   Sport"]
    table = strip_markdown(md + "\n| file | speed |\n|:-----|------:|\n| `gsoc-2018` | 3.3 GB/s |\n---\n"
                           "```python\nx = 1\n```")
    # a table's cells one a line, as a browser's copy has them; its rule and code fences go;
    # a horizontal rule stays (it parts blocks)
    assert table.split("\n")[-9:] == ["file", "speed", "", "gsoc-2018", "3.3 GB/s", "---", "", "x = 1", ""]
    # wrapped markdown: a short line that opens a link whose target did not fit goes on
    broken = ["-   [Floods: what the new maps", "    show](https://news.example.org/2024/10/02/floods-what-the-new-maps-show/)"]
    assert join_wrapped(broken, 80) == [broken[0] + " " + broken[1].strip()]
    assert join_wrapped(["-   Floods: what the new maps", "    show.example.org/2024/10/02/floods-what-the-new-maps/"],
                        80) == ["-   Floods: what the new maps", "    show.example.org/2024/10/02/floods-what-the-new-maps/"]
    once = "A page that quotes [one link](https://x.org) in **bold** and # a hash."
    assert strip_markdown(once) == once  # under three links: not read as markdown
    wrapped = markdown_page(PAGES["en"], 80).split("\n")
    assert wrap_width(wrapped) is not None  # link targets overrun the margin: measured without them


def test_cjk_wrapped_lines_join_without_a_space():
    page = PAGES["zh"]
    out = normalise_shape(wrapped_page(page, 60)).split("\n")
    for para in page["body"]:
        assert para in out


@pytest.mark.parametrize("lang", sorted(PAGES))
@pytest.mark.parametrize("shape", ["paragraphs", "wrapped", "lynx", "markdown", "markdown80", "double"])
def test_cleaner_keeps_the_article_in_every_shape_and_script(lang, shape):
    page = PAGES[lang]
    text = {"paragraphs": paragraph_page, "wrapped": wrapped_page, "lynx": lynx_page, "markdown": markdown_page,
            "markdown80": lambda p: markdown_page(p, 80), "double": double_spaced_page}[shape](page)
    doc = TextCleaner().clean(text)
    out = _norm("\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs)))
    body = _norm("\n".join(doc.paragraphs))
    for para in page["body"]:
        assert _norm(para) in out, (lang, shape, para[:30], doc.paragraphs)
    for line in page["menu"] + page["side"][2:]:
        assert _norm(line) not in body.split(" | "), (lang, shape, line)
    assert "https://news.example.org" not in out  # lynx's footer is gone, markdown's targets too
    assert "[" not in body and "**" not in body  # and the link and bold marks
    menu = {_norm(m) for m in page["menu"]}
    assert not menu & {_norm(p).lstrip("•* ") for p in doc.paragraphs}, (lang, shape)


def test_invisible_characters_go():
    # a byte-order mark left by a concatenated file, zero-width spaces from a CMS
    page = paragraph_page(PAGES["en"])
    doc = TextCleaner().clean("\ufeff" + page.replace("\n\n", "\n\u200b\n").replace("river", "riv\u200ber", 1))
    assert doc.title == PAGES["en"]["title"]
    assert all(_norm(p) in [_norm(q) for q in doc.paragraphs] for p in PAGES["en"]["body"])


def test_a_caption_credit_after_a_paragraph_is_not_joined_to_it():
    # a text browser prints a credit line under a paragraph; when the paragraph's last line is
    # full, the credit's label would not have fitted there, yet it opens a line of its own
    para = ("Weitere Informationen erteilt Anne Althaus in der Leitstelle im Rathaus unter der "
            "Telefonnummer 02382 59743 oder per E-Mail an die Adresse der Stadtverwaltung.")
    lines = [*wrap_line(para, 60), "Foto: Ehrenamtler reparieren defekte Haushaltsgeräte", "",
             *wrap_line(para, 60)]
    out = join_wrapped(lines, 60)
    assert out[:2] == [para, "Foto: Ehrenamtler reparieren defekte Haushaltsgeräte"]
    assert join_wrapped([*wrap_line(para, 60), "© Thinkstock"], 60) == [para, "© Thinkstock"]
    # a line that follows one ending mid-sentence goes on joining
    first = "Die Leitstelle im Rathaus zeigt in diesem Monat eine Reihe"
    assert len(first) + len(" Foto:") > 60
    lines = [first, "Foto: alte Ansichten der Stadt, gesammelt von Bürgern."]
    assert join_wrapped(lines, 60) == [" ".join(lines)]
