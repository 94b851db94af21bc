"""Section headers that open the non-article parts of a news page, in many languages.

A page's article is often followed (sometimes preceded) by sections whose lines are written to
look like the article: "Read also" teasers, "Related articles", "Comments" with readers'
prose, "Share" / "Tags" / "Newsletter" blocks. Their header line is short and says what it is.
The line model's lexical n-grams learn such headers only in the languages of its training
pages; this module names them in about thirty-five languages, so that the line model can read
"this line sits N lines below a comments / related-news header" on a page in a language it was
never trained on (the seeds' Arabic "التعليقات" and "اقرأ أيضا" are the case it came from).

Written by hand: no library ships such a list as data (trafilatura's equivalents are XPath
expressions over HTML attributes, mostly English). A header is a line whose normalised text
(case, accents and Arabic letter variants folded, punctuation and digits dropped) is one of
the phrases below, or one of them followed by a few more words (three after a phrase of
several words, "Related articles from our site"; one after a one-word phrase, "Popular now").
A longer line starting with a phrase ("Read also: a whole headline") is not a header: the rule
pass handles those (``read-also``).
"""

from __future__ import annotations

import functools
import re
from typing import Sequence

import numpy as np

from storyline.store.fts import fold

COMMENTS, RELATED, SOCIAL = 0, 1, 2

# Written in the normalised form or not: each phrase goes through ``normalise`` too. Left out
# on purpose: words that also head a section of an article ("Discussion" in a paper,
# "Reactions" or "Responses" in a news report).
_PHRASES = {
    COMMENTS: """
        comments | leave a comment | leave a reply | add a comment | post a comment |
        write a comment | join the discussion | join the conversation | reader comments | replies |
        kommentare | kommentar schreiben | kommentar hinzufugen |
        leserkommentare | commentaires | laisser un commentaire | ajouter un commentaire |
        reagir | comentarios | deja un comentario | dejar un comentario |
        deja una respuesta | commenti | lascia un commento | deixe um comentario |
        deixe uma resposta | reacties | laat een reactie achter | komentarze |
        dodaj komentarz | yorumlar | yorum yap | yorum yaz | комментарии |
        оставить комментарий | добавить комментарий | коментарі |
        σχολια | αφηστε ενα σχολιο | γραψτε σχολιο | التعليقات | تعليقات | اضف تعليقا |
        اضف تعليق | اترك تعليقا | نظرات | תגובות | komentare | kommentarer | kommentit |
        hozzaszolasok | comentarii | 评论 | 評論 | 留言 | 网友评论 | 发表评论 | コメント | 댓글 |
        binh luan | y kien ban doc | टिप्पणियाँ | टिप्पणी करें | মন্তব্য | মন্তব্য করুন |
        ความคิดเห็น | แสดงความคิดเห็น | تبصرے | اپنی رائے دیں
    """,
    RELATED: """
        read also | also read | read more | see also | related | related articles | related posts |
        related stories | related news | related content | more news | more stories | more from |
        you may also like | you might also like | recommended | recommended for you | most read |
        most popular | popular | trending | latest news | latest | top stories | further reading |
        more on this | in other news | editors picks | editor s picks | dont miss | don t miss |
        read next | up next | lesen sie auch | auch interessant | mehr zum thema |
        das konnte sie auch interessieren | weitere artikel | meistgelesen | ahnliche artikel |
        verwandte artikel | empfehlungen | top themen | a lire aussi | lire aussi | lire la suite |
        sur le meme sujet | articles similaires | articles lies | a voir aussi | voir aussi |
        les plus lus | dernieres actualites | vous aimerez aussi | lee tambien | leer mas |
        te puede interesar | tambien te puede interesar | noticias relacionadas |
        articulos relacionados | lo mas leido | mas leidas | ver tambien | relacionado |
        relacionados | ultimas noticias | mas noticias | leggi anche | potrebbe interessarti |
        articoli correlati | i piu letti | piu letti | ultime notizie | correlati | vedi anche |
        leia tambem | leia mais | veja tambem | noticias relacionadas | artigos relacionados |
        mais lidas | mais lidos | voce pode gostar | lees ook | lees meer | gerelateerde artikelen |
        meest gelezen | gerelateerd | bekijk ook | czytaj tez | czytaj takze | zobacz tez |
        zobacz takze | podobne artykuły | najczesciej czytane | polecamy | czytaj wiecej |
        ilgili haberler | benzer haberler | ayrica okuyun | bunlar da ilginizi cekebilir |
        en cok okunanlar | diger haberler | ilginizi cekebilir | читайте также | читать также |
        смотрите также | похожие статьи | по теме | популярное | самое читаемое | новости по теме |
        другие новости | еще по теме | рекомендуем | материалы по теме |
        διαβαστε επισης | διαβαστε ακομα | διαβαστε ακομη | σχετικα αρθρα | σχετικα |
        δειτε επισης | δειτε ακομα | δημοφιλη | τελευταια νεα | ροη ειδησεων | اقرا ايضا |
        اقرا المزيد | مواضيع ذات صله | اخبار ذات صله | مقالات ذات صله | ذات صله | الاكثر قراءه |
        اخر الاخبار | شاهد ايضا | قد يهمك | المزيد من الاخبار | اخبار متعلقه | مطالب مرتبط |
        بیشتر بخوانید | כתבות נוספות | ctete take | souvisejici clanky | las ocksa | las aven |
        relaterade artiklar | mest lasta | læs ogsa | les ogsa | lue myos | kapcsolodo cikkek |
        citeste si | articole similare | baca juga | berita terkait | artikel terkait | 相关新闻 |
        相关文章 | 相关阅读 | 延伸阅读 | 推荐阅读 | 热门文章 | 猜你喜欢 | 相關新聞 | 相關文章 | 延伸閱讀 |
        関連記事 | 関連ニュース | おすすめ記事 | 人気記事 | 관련기사 | 관련 기사 | 많이 본 뉴스 |
        相关推荐 | 相关报道 | 热门推荐 | 热点新闻 | 最新新闻 | 更多新闻 | 排行榜 | 相關報導 | 熱門新聞 |
        アクセスランキング | ランキング | 最新ニュース | あわせて読みたい | 많이 본 기사 | 인기 기사 |
        최신 기사 | 추천 기사 | tin lien quan | bai viet lien quan | doc them | tin moi nhat |
        xem them | doc nhieu nhat | यह भी पढ़ें | ये भी पढ़ें | संबंधित खबरें | और पढ़ें |
        ताज़ा खबरें | सबसे ज्यादा पढ़ी गई | আরও পড়ুন | আরো পড়ুন | সম্পর্কিত খবর | সর্বশেষ |
        সর্বাধিক পঠিত | ข่าวที่เกี่ยวข้อง | เรื่องที่เกี่ยวข้อง | บทความที่เกี่ยวข้อง | อ่านเพิ่มเติม |
        ข่าวล่าสุด | ยอดนิยม | ဆက်စပ် အကြောင်းအရာများ | ဆက်စပ်သတင်းများ | ထိပ်တန်း သတင်းများ |
        مزید پڑھیں | متعلقہ خبریں
    """,
    SOCIAL: """
        share | share this | share this article | share on facebook | tweet | follow us | tags |
        tagged | topics | newsletter | subscribe | sign up | print | teilen | artikel teilen |
        folgen sie uns | schlagworte | themen | abonnieren | drucken | partager | partagez |
        suivez nous | mots cles | mots clefs | s abonner | abonnez vous | imprimer | compartir |
        comparte | siguenos | etiquetas | temas | suscribete | imprimir | condividi | seguici | tag |
        argomenti | iscriviti | compartilhe | compartilhar | partilhar | siga nos | assine | delen |
        deel dit | volg ons | abonneer | udostepnij | tagi | obserwuj nas | subskrybuj | paylas |
        etiketler | bizi takip edin | abone ol | поделиться | теги | метки | подписывайтесь |
        подписаться | μοιραστειτε | κοινοποιηση | ετικετες | ακολουθηστε μας | شارك | مشاركه |
        شارك المقال | الكلمات المفتاحيه | كلمات مفتاحيه | الكلمات الداله | كلمات داله | وسوم | الوسوم |
        تابعنا | اشترك | 分享 |
        分享到 | 标签 | 关注我们 | 關注我們 | シェア | タグ | 関連キーワード | 공유 | 태그 | chia se |
        शेयर करें | ট্যাগ | শেয়ার করুন | แชร์ | แท็ก | မျှဝေရန် | شیئر کریں
    """,
}
# One comment, singular: a comments header only with a count in the line ("1 Kommentar",
# "Comment (1)"). Alone, these words label an opinion piece ("Kommentar", "Comment").
_COUNTED = """comment | kommentar | commentaire | comentario | commento | komentarz |
    коментар | σχολιο | تعليق | reactie | komentar | yorum"""
_TAIL_WORDS = 3  # words a header may carry after a phrase of several words ("Read also on X")
_TAIL_ONE_WORD = 1  # ... after a one-word phrase ("Popular now"; not "Popular science is fun")
_MAX_CHARS = 60  # longer lines are never headers
_TAIL_CJK = 6  # characters after a phrase without spaces (CJK)

# Folded before matching, after the full-text index's fold (case, combining marks, Arabic
# letter variants): Persian yeh and kaf, and Latin letters with no decomposition (dotless i,
# ł, ø, æ), which a header may be written with or without.
_EXTRA_FOLD = str.maketrans({"ی": "ي", "ک": "ك", "ı": "i", "ł": "l", "ø": "o", "æ": "ae"})
_NON_WORD = re.compile(r"[\W\d_]+")
_DIGIT = re.compile(r"\d")
_ASCII_WORD = re.compile(r"[A-Za-z]+")  # an ASCII line's first word, as ``normalise`` would cut it


def normalise(text: str) -> str:
    """Lower-cased, accents and combining marks dropped, letter variants folded, every run of
    punctuation, digits or spaces one space."""
    low = text.lower() if text.isascii() else fold(text).translate(_EXTRA_FOLD)
    return _NON_WORD.sub(" ", low).strip()


def _phrases() -> dict[str, int]:
    table: dict[str, int] = {}
    for kind, block in _PHRASES.items():
        for raw in block.split("|"):
            phrase = normalise(raw)
            if phrase:
                table.setdefault(phrase, kind)
    return table


_TABLE = _phrases()
_COUNTED_WORDS = {normalise(w) for w in _COUNTED.split("|")}
_FIRST_WORDS = {p.split(" ")[0] for p in _TABLE}
CJK_START = 0x2E80  # CJK radicals and above: scripts written without spaces between words
_CJK_PREFIXES = sorted((p for p in _TABLE if ord(p[0]) >= CJK_START and " " not in p), key=len, reverse=True)


@functools.lru_cache(maxsize=1 << 16)  # menus and section headers repeat across a site's pages
def header_kind(text: str) -> int:
    """COMMENTS, RELATED or SOCIAL when the line is such a section header, else -1."""
    if len(text) > _MAX_CHARS:
        return -1
    if text.isascii():  # a cheap test first: most short lines start with no phrase's word
        first = _ASCII_WORD.search(text)
        if first is None or (word := first.group().lower()) not in _FIRST_WORDS and word not in _COUNTED_WORDS:
            return -1
    key = normalise(text)
    if not key:
        return -1
    words = key.split(" ")
    if len(words) == 1 and key in _COUNTED_WORDS:
        return COMMENTS if _DIGIT.search(text) else -1
    if words[0] in _FIRST_WORDS:
        for n in range(min(len(words), 6), 0, -1):  # longest phrase first
            kind = _TABLE.get(" ".join(words[:n]))
            if kind is not None:
                tail = _TAIL_WORDS if n > 1 else _TAIL_ONE_WORD
                return kind if len(words) - n <= tail else -1
    if len(words) == 1 and ord(key[0]) >= CJK_START:  # no space between the phrase and what follows
        for phrase in _CJK_PREFIXES:
            if key.startswith(phrase) and len(key) - len(phrase) <= _TAIL_CJK:
                return _TABLE[phrase]
    return -1


def header_kinds(texts: Sequence[str]) -> np.ndarray:
    """``header_kind`` of each line (a long line is never a header: no call for it)."""
    return np.array([header_kind(t) if len(t) <= _MAX_CHARS else -1 for t in texts], dtype=int)


N_SECTION_FEATURES = 5
_NONE_ABOVE = 60.0  # "no such header above this line"
_CLIP = 50.0


def section_features(texts: Sequence[str], kinds: np.ndarray | None = None) -> np.ndarray:
    """Per line, ``N_SECTION_FEATURES`` columns: whether it is a comments, a related-news, a
    sharing header (three 0/1 columns), and how many lines below the nearest comments header
    and the nearest related-news header above it (or at it: 0) it sits, clipped at 50
    (``_NONE_ABOVE`` when there is none). ``kinds``: ``header_kinds(texts)``, when already
    computed."""
    n = len(texts)
    kinds = header_kinds(texts) if kinds is None else kinds
    out = np.zeros((n, N_SECTION_FEATURES))
    out[:, 0] = kinds == COMMENTS
    out[:, 1] = kinds == RELATED
    out[:, 2] = kinds == SOCIAL
    idx = np.arange(n)
    for col, kind in ((3, COMMENTS), (4, RELATED)):
        at = np.where(kinds == kind, idx, -1)
        last = np.maximum.accumulate(at)
        out[:, col] = np.where(last >= 0, np.minimum(idx - last, _CLIP), _NONE_ABOVE)
    return out


def in_section(texts: Sequence[str], start: int, kinds: np.ndarray | None = None) -> np.ndarray:
    """1.0 for each line at or below a comments or related-news header that is itself at or
    below line ``start`` (the rules' body start: a "Related" tab in the menu above the
    article opens nothing), else 0.0. ``kinds``: ``header_kinds(texts)``, when already
    computed."""
    at = np.arange(len(texts))
    kinds = header_kinds(texts) if kinds is None else kinds
    opens = np.where(((kinds == COMMENTS) | (kinds == RELATED)) & (at >= start), at, -1)
    return (np.maximum.accumulate(opens) >= 0).astype(float)
