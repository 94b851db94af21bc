import pytest

from storyline.signals import TextSignals, name_skeletons, numbers, overlap, skeleton


@pytest.mark.parametrize("word", ["Carter", "كارتر", "Κάρτερ", "Картер"])
def test_names_meet_across_scripts(word):
    assert skeleton(word) == "krtr"


@pytest.mark.parametrize("a,b", [("Lavrov", "لافروف"), ("Putin", "Путин"), ("Syria", "السورية"),
                                 ("Erdoğan", "أردوغان"), ("Άσαντ", "الأسد"),
                                 ("Μπάιντεν", "بايدن"), ("Σεργκέι", "سيرغي"),
                                 ("Τζόνσον", "Johnson")])
def test_more_transliterations(a, b):
    assert skeleton(a) == skeleton(b)


def test_numbers_normalise_separators_and_scripts():
    assert numbers("magnitude 6,1 and 6.1; 1,400 people; 3.25%") == {"6.1", "1400", "3.25"}
    assert numbers("٢٣ يوليو ٢٠٢٦") == {"23", "2026"}
    assert numbers("1 2 3") == set()


def test_name_skeletons_skip_lowercase_words_in_cased_scripts():
    names = name_skeletons("the striker Lucas Amaral joined Bayern")
    assert {"lks", "mrl", "brn"} <= names
    assert skeleton("striker") not in names


def test_signals_and_overlap():
    a = TextSignals.of("Lucas Amaral moves to Bayern for 72 million")
    b = TextSignals.of("لوكاس أمارال ينتقل إلى بايرن مقابل 72 مليون")
    jac, shared = overlap(a.names, b.names)
    assert shared >= 2 and jac > 0.3
    assert overlap(a.numbers, b.numbers) == (1.0, 1)
    assert overlap(frozenset(), a.names) == (0.0, 0)


@pytest.mark.parametrize("text", ["On March 5, 2019 the", "5. März 2019", "el 5 de marzo",
                                  "في 5 مارس", "يوم ٥ آذار", "5 Mart 2019 Salı", "Στις 5 Μαρτίου",
                                  "5 марта", "le 5 mars", "5 marca", "05.03.2019", "2019-03-05",
                                  "3月5日"])
def test_dates_meet_across_languages_and_scripts(text):
    from storyline.signals import dates

    assert dates(text) == {"03-05"}


def test_dates_need_a_day_and_a_month():
    from storyline.signals import dates

    assert dates("in March 2019, version 1.2.3, 45 people, mar 5") == set()
    assert dates("between 12 March and 13 April") == {"03-12", "04-13"}
    assert dates("يوم 5 كانون الثاني 2019") == {"01-05"}  # a two-word Levantine month
    assert TextSignals.of("Quake on 5 March").dates == frozenset({"03-05"})


def test_segments_follow_sentences_and_cover_the_whole_text():
    from storyline.signals import SEGMENT_MAX_CHARS, SEGMENT_MIN_CHARS, segments

    sentence = "The council met on Monday to discuss the new budget for the city schools. "
    text = sentence * 30 + "\n" + "Ein Satz ohne Ende " * 60
    segs = segments(text, max_segments=100)
    assert all(len(s) <= SEGMENT_MAX_CHARS + SEGMENT_MIN_CHARS for s in segs)
    assert all(len(s) >= SEGMENT_MIN_CHARS // 2 for s in segs)
    assert segs[0].startswith("The council") and segs[0].endswith("schools.")
    assert " ".join(segs).split() == text.split()  # nothing lost, in order
    assert len(segments(text, max_segments=4)) == 4
    # sentences glued without a space by a scraper still split
    assert segments("A" * 130 + " ends here.Then another sentence starts" + "x" * 120)[0].endswith(
        "here.")
    assert segments("") == []
