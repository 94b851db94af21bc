import pytest

from storyline.language import UNDETERMINED, LanguageDetector

SENTENCES = {
    "ar": "ضرب زلزال قوي المدينة صباح الاثنين وأدى إلى مقتل عشرة أشخاص على الأقل.",
    "el": "Ισχυρός σεισμός έπληξε την πόλη τη Δευτέρα το πρωί, σκοτώνοντας δέκα ανθρώπους.",
    "en": "A strong earthquake struck the city on Monday morning, killing at least ten people.",
    "de": "Ein starkes Erdbeben hat die Stadt am Montagmorgen erschüttert und zehn Menschen getötet.",
    "es": "Un fuerte terremoto sacudió la ciudad el lunes por la mañana y mató a diez personas.",
    "fr": "Un violent séisme a frappé la ville lundi matin, faisant au moins dix morts.",
    "ru": "Сильное землетрясение произошло в городе в понедельник утром, погибли десять человек.",
    "zh": "星期一早上，一场强烈地震袭击了这座城市，造成至少十人死亡。",
    "tr": "Pazartesi sabahı şehri vuran güçlü deprem en az on kişinin ölümüne neden oldu.",
}


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_detects_iso_639_1(lang):
    assert LanguageDetector().detect(SENTENCES[lang]) == lang


def test_regional_arabic_folds_into_ar():
    # Egyptian-flavoured news Arabic is often classified 'arz'/'ary' by langid
    text = "الولايات المتحدة تنفى وجود أى تنسيق عسكرى أو غيره مع روسيا فى سورية"
    assert LanguageDetector().detect(text) == "ar"


def test_no_letters_is_undetermined():
    assert LanguageDetector().detect("12:30 — 45 / 2026") == UNDETERMINED


def test_batch():
    d = LanguageDetector()
    assert d.detect_batch([SENTENCES["de"], SENTENCES["fr"]]) == ["de", "fr"]
