"""Language stage: an ISO 639-1 code per article, from py3langid (142 languages, no network)."""

from __future__ import annotations

from collections.abc import Sequence

import py3langid

# py3langid also knows regional varieties and a few languages by ISO 639-3 codes; news
# analysts filter by the macro-language, so these fold into their ISO 639-1 code.
MACRO_LANGUAGE = {
    "ary": "ar", "arz": "ar",  # Moroccan, Egyptian Arabic
    "yue": "zh", "wuu": "zh",  # Cantonese, Wu Chinese
    "uzs": "uz", "sdh": "ku", "gug": "gn", "nn": "no",
}
UNDETERMINED = "und"  # ISO 639-2 code for "cannot tell"
# langid's accuracy reaches its plateau well before this; longer text only costs time.
SAMPLE_CHARS = 3000


class LanguageDetector:
    """Detect the language of texts; a batch in, one code per text out."""

    def detect(self, text: str) -> str:
        sample = text[:SAMPLE_CHARS]
        if not any(ch.isalpha() for ch in sample):
            return UNDETERMINED
        code, _score = py3langid.classify(sample)
        if code == "zxx":
            return UNDETERMINED
        return MACRO_LANGUAGE.get(code, code)

    def detect_batch(self, texts: Sequence[str]) -> list[str]:
        return [self.detect(t) for t in texts]
