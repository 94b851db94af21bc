"""The notice words a site addresses its reader with (``clean.notices``)."""

from __future__ import annotations

import pytest

from storyline.clean.notices import N_NOTICE_CAP, notice_counts


@pytest.mark.parametrize("line, count", [
    ("To view the full story, please subscribe to The Haitian Times.", 2),  # "full story", "subscri*"
    ("Für Links auf dieser Seite erhält CHIP ggf. eine Provision vom Händler", 1),
    ("Abonnieren Sie unseren Newsletter", 2),
    ("Sign-up for our newsletter", 2),  # a hyphen for the space
    ("Lisez la suite: abonnez-vous. Publicite", 2),  # "abonn*", and "publicité" written without its accent
    ("Inicia sesión o regístrate", 2),
    ("Εγγραφείτε στο newsletter μας", 2),
    ("اشترك في النشرة البريدية", 2),
    ("登录后才能发表评论", 1),  # CJK: no word boundaries
    ("広告を表示しています", 1),
    # a blog engine's furniture, in the words its translations use
    ("This entry was posted in News. Bookmark the permalink.", 2),
    ("Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert", 3),
    ("Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados", 2),
])
def test_notice_words_in_many_languages(line, count):
    assert notice_counts([line]).tolist() == [count]


@pytest.mark.parametrize("line", [
    "About the author",  # "abo" is a whole word only
    "The minister said on Monday that the law would be reviewed by the court.",
    "Die Anzeigenkampagne war ein Erfolg",  # "anzeige" is a whole word only
    "Market share rose as the company registered a profit",  # words of news prose left out
    "",
])
def test_words_inside_longer_words_and_news_prose_are_not_notices(line):
    assert notice_counts([line]).tolist() == [0]


def test_counts_land_on_their_lines_and_are_capped():
    lines = ["İstanbul haberleri", "The weather was fine.", "Subscribe, log in, sign up, donate, or buy now",
             "", "Cookie settings"]
    # "İ".lower() is two characters: the lines after it still get their own counts
    assert notice_counts(lines).tolist() == [0, 0, N_NOTICE_CAP, 0, 1]
    assert notice_counts([]).tolist() == []
