"""Words of a site's notices to its reader, in many languages.

Inside or around an article a site speaks to its reader: subscription walls ("To view the full
story, please subscribe"), log-in and sign-up calls, app downloads, advertising and affiliate
disclosures ("Für Links auf dieser Seite erhält CHIP ggf. eine Provision"), cookie and privacy
notices, browser warnings, shop and donation calls, and a blog engine's furniture ("This
entry was posted in", "Your email address will not be published", in the words of its
translations). Such a line is often written as prose, so
its shape looks like the article's, and its words are the same on every site of a language.
The line model's lexical n-grams learn them only in the languages of its training pages and
only as far as those pages hold them; this module counts them in about fifteen languages
(``notice_counts``), and the line model's decoding asks a line for ``notice_margin`` more
log-odds per notice word it holds (``linemodel.LineModel.decode``). As a feature of the
trees instead, refitted, they gained less and less surely (BENCHMARKS.md, issue 16).

Written by hand, like ``clean.sections``: no library ships such a list. "stem*" is a word
prefix, anything else whole words. Left out on purpose: words common in news prose in
another sense ("share", "register", "comment", "account" in English; "teilen" in German;
Arabic "إعلان", an advertisement but also an announcement or a declaration, and "برعاية",
sponsored by but also under the patronage of).

Matching is one pass of an Aho-Corasick automaton (``pyahocorasick``) over the lower-cased
page: a regular expression with the same phrases took about 1 ms a page, a fifth of the
whole cleaner's time, most of it spent folding accents. Each phrase is therefore stored as
written and with its accents and letter variants folded (``store.fts.fold``), and with
hyphens for spaces ("sign-up", "e-mail-adresse").
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import Sequence

import ahocorasick
import numpy as np

from storyline.clean.sections import CJK_START
from storyline.store.fts import fold

N_NOTICE_CAP = 3  # a line's notice words are counted up to this many

_NOTICES = """
    subscri* | unsubscri* | newsletter* | sign up | signup | sign in | log in | login | logged in |
    paywall | free trial | full story | full article | continue reading | click here | tap here |
    learn more | find out more | download the app | our app | app store | google play |
    ios and android | follow us | advertis* | sponsored | affiliate* | we may earn | cookie* |
    privacy policy | terms of use | terms of service | javascript | your browser | browser version |
    email address | e-mail address | your email | inbox | our journalism | donate | become a member |
    contact us | write to us | let us know | we want to hear | your feedback | add to cart |
    shop now | buy now |
    abonn* | abo | anmeld* | registrier* | einloggen | eingeloggt | kundenkonto |
    kostenlos testen | weiterlesen | jetzt lesen | mehr erfahren | hier klicken | klicken sie |
    werbung | anzeige | gesponsert | provision | partnerlink* | datenschutz* | nutzungsbedingungen |
    ihr browser | e-mail-adresse | spende* | unterstützen sie | jetzt bestellen | jetzt kaufen |
    warenkorb | versandkostenfrei |
    inscri* | connectez | se connecter | identifiez-vous | publicité | sponsoris* | confidentialité |
    lire la suite | en savoir plus | cliquez* | votre navigateur | soutenez | faire un don | panier |
    suscri* | boletín | inicia sesión | iniciar sesión | regístrate | publicidad | patrocinad* |
    privacidad | leer más | haz clic | escríbenos | tu navegador | apoya | carrito |
    abbona* | iscriviti | accedi | registrati | pubblicità | sponsorizzat* | clicca* | leggi tutto |
    sostieni | carrello |
    assine | assinante* | assinatura | inscreva* | cadastr* | publicidade | privacidade | clique* |
    leia mais | apoie |
    aanmelden | inloggen | registreer | advertentie* | reclame | gesponsord | klik hier | lees meer |
    winkelwagen |
    subskryb* | prenumer* | zaloguj* | zarejestruj* | reklam* | sponsorowan* | prywatność* |
    kliknij | czytaj więcej | wesprzyj |
    abone | üye ol | giriş yap | kayıt ol | sponsorlu | çerez* | gizlilik | tıklayın | devamını oku |
    destek ol | satın al |
    подпис* | рассылк* | войти | войдите | зарегистр* | аккаунт* | реклам* | спонсор* | куки |
    конфиденциальн* | нажмите | читать далее | поддержите | корзин* |
    εγγραφ* | συνδρομ* | συνδεθείτε | διαφήμισ* | διαφημίσ* | χορηγούμεν* | απόρρητο* | πατήστε |
    κάνε κλικ | κάντε κλικ | διαβάστε περισσότερα |
    اشترك* | الاشتراك | اشتراك | النشرة البريدية | تسجيل الدخول | سجل الدخول |
    ملفات تعريف الارتباط | الخصوصية | اضغط هنا | انقر هنا | تبرع |
    订阅 | 登录 | 注册 | 广告 | 隐私 | 購読 | 登録 | ログイン | 広告 | 구독 | 로그인 | 광고 |
    posted in | posted by | bookmark the permalink | permalink | pingback* | trackback* |
    filed under | required fields are marked | will not be published | notify me of |
    save my name | akismet | veröffentlicht in | abgelegt unter | erforderliche felder |
    wird nicht veröffentlicht | benachrichtige mich | publié dans | ne sera pas publiée |
    champs obligatoires | publicado en | no será publicada | campos obligatorios |
    pubblicato in | non sarà pubblicato | campi obbligatori | não será publicado |
    campos obrigatórios | wordt niet gepubliceerd | verplichte velden
"""


def _automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for raw in _NOTICES.split("|"):
        raw = raw.strip()
        if not raw:
            continue
        phrase = raw.rstrip("*").lower()
        cjk = ord(phrase[0]) >= CJK_START  # no spaces between words: no word boundaries
        whole = not raw.endswith("*") and not cjk  # must end at a word's end
        for form in {phrase, fold(phrase)}:
            for variant in {form, form.replace(" ", "-"), form.replace("-", " ")}:
                auto.add_word(variant, (len(variant), whole, cjk))
    auto.make_automaton()
    return auto


_AUTOMATON = _automaton()


def notice_counts(texts: Sequence[str]) -> np.ndarray:
    """How many notice words (``_NOTICES``) each line holds, capped at ``N_NOTICE_CAP``."""
    lows = [t.lower() for t in texts]  # lower() may change a line's length ("İ"): per line
    page = "\n".join(lows)
    n = len(page)
    found = []
    for end, (size, whole, cjk) in _AUTOMATON.iter(page):
        begin = end - size + 1
        if not cjk and ((begin > 0 and page[begin - 1].isalpha())
                        or (whole and end + 1 < n and page[end + 1].isalpha())):
            continue  # inside a longer word
        found.append((begin, -end))
    counts = np.zeros(len(texts))
    if not found:
        return counts
    starts = list(accumulate((len(t) + 1 for t in lows[:-1]), initial=0))  # of each line in ``page``
    reach = -1
    for begin, neg_end in sorted(found):  # leftmost-longest: a phrase inside a counted one is not
        if begin > reach:                  # counted again ("permalink" in "bookmark the permalink")
            counts[bisect.bisect_right(starts, begin) - 1] += 1
            reach = -neg_end
    return np.minimum(counts, N_NOTICE_CAP)
