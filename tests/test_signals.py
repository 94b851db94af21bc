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
