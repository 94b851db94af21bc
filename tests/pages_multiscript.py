"""Small news pages written by the team for the cleaner's shape and script tests (not copies of
any benchmark): one per script (Latin, Arabic, Greek, Cyrillic, CJK), each a page dump with a
menu, the article and a sidebar/footer, and helpers that render them into the shapes text
browsers produce (hard-wrapped at 76 columns, lynx's link marks and "References" footer)."""

from __future__ import annotations

from storyline.clean.shape import width

PAGES: dict[str, dict] = {
    "en": {
        "menu": ["Home", "World", "Business", "Sport", "Weather", "Log in"],
        "title": "Flood waters recede in the river valley as repairs begin",
        "body": [
            "Flood waters in the river valley began to recede on Wednesday, three days after heavy "
            "rain pushed the river over its banks and forced more than two thousand people to leave "
            "their homes.",
            "Engineers from the regional water authority said the main embankment had held, but two "
            "smaller dykes near the old mill would need to be rebuilt before the autumn storms. Work "
            "on the first of them started on Wednesday afternoon.",
            "The mayor thanked the volunteers who had filled sandbags through the night and said the "
            "town hall would stay open as a shelter until every family could return safely.",
            "Farmers downstream fear that the harvest is lost in many fields. The agriculture office "
            "has promised an estimate of the damage by the end of next week.",
        ],
        "side": ["Most read", "Local elections: who is standing in your district",
                 "Five walks to enjoy this weekend", "Newsletter", "Contact us", "Privacy policy"],
    },
    "ar": {
        "menu": ["الرئيسية", "أخبار", "اقتصاد", "رياضة", "طقس", "اتصل بنا"],
        "title": "انحسار مياه الفيضان في وادي النهر وبدء أعمال الإصلاح",
        "body": [
            "بدأت مياه الفيضان في وادي النهر بالانحسار يوم الأربعاء، بعد ثلاثة أيام من أمطار غزيرة "
            "رفعت منسوب النهر فوق ضفتيه وأجبرت أكثر من ألفي شخص على مغادرة منازلهم.",
            "وقال مهندسون من هيئة المياه الإقليمية إن السد الرئيسي صمد، لكن سدين أصغر قرب الطاحونة "
            "القديمة يحتاجان إلى إعادة بناء قبل عواصف الخريف. وبدأ العمل في أولهما بعد ظهر الأربعاء.",
            "وشكر رئيس البلدية المتطوعين الذين ملأوا أكياس الرمل طوال الليل، وقال إن مبنى البلدية "
            "سيبقى مفتوحا كمأوى حتى تتمكن كل عائلة من العودة بأمان.",
            "ويخشى المزارعون في المناطق المنخفضة أن يكون المحصول قد ضاع في حقول كثيرة. ووعد مكتب "
            "الزراعة بتقدير الأضرار بحلول نهاية الأسبوع المقبل.",
        ],
        "side": ["الأكثر قراءة", "الانتخابات المحلية: من هم المرشحون في دائرتك",
                 "خمس نزهات لعطلة نهاية الأسبوع", "النشرة البريدية", "اتصل بنا", "سياسة الخصوصية"],
    },
    "el": {
        "menu": ["Αρχική", "Κόσμος", "Οικονομία", "Αθλητικά", "Καιρός", "Σύνδεση"],
        "title": "Υποχωρούν τα νερά της πλημμύρας στην κοιλάδα του ποταμού",
        "body": [
            "Τα νερά της πλημμύρας στην κοιλάδα του ποταμού άρχισαν να υποχωρούν την Τετάρτη, τρεις "
            "ημέρες αφότου οι έντονες βροχές ανέβασαν τη στάθμη του ποταμού και ανάγκασαν πάνω από "
            "δύο χιλιάδες ανθρώπους να εγκαταλείψουν τα σπίτια τους.",
            "Μηχανικοί της περιφερειακής υπηρεσίας υδάτων δήλωσαν ότι το κύριο ανάχωμα άντεξε, αλλά "
            "δύο μικρότερα αναχώματα κοντά στον παλιό μύλο πρέπει να ξαναχτιστούν πριν από τις "
            "φθινοπωρινές καταιγίδες. Οι εργασίες στο πρώτο ξεκίνησαν το απόγευμα της Τετάρτης.",
            "Ο δήμαρχος ευχαρίστησε τους εθελοντές που γέμιζαν σακιά με άμμο όλη τη νύχτα και είπε "
            "ότι το δημαρχείο θα μείνει ανοιχτό ως καταφύγιο μέχρι να επιστρέψει με ασφάλεια κάθε "
            "οικογένεια.",
            "Οι αγρότες στα κατάντη φοβούνται ότι η σοδειά έχει χαθεί σε πολλά χωράφια. Η υπηρεσία "
            "γεωργίας υποσχέθηκε εκτίμηση των ζημιών έως το τέλος της επόμενης εβδομάδας.",
        ],
        "side": ["Τα πιο διαβασμένα", "Δημοτικές εκλογές: ποιοι είναι υποψήφιοι στην περιοχή σας",
                 "Πέντε περίπατοι για το Σαββατοκύριακο", "Ενημερωτικό δελτίο", "Επικοινωνία",
                 "Πολιτική απορρήτου"],
    },
    "ru": {
        "menu": ["Главная", "Мир", "Экономика", "Спорт", "Погода", "Войти"],
        "title": "Вода в долине реки отступает, начинается ремонт дамб",
        "body": [
            "Паводковые воды в долине реки начали отступать в среду, через три дня после того, как "
            "сильные дожди подняли уровень реки выше берегов и вынудили более двух тысяч человек "
            "покинуть свои дома.",
            "Инженеры регионального водного управления сообщили, что главная дамба выдержала, но две "
            "небольшие дамбы у старой мельницы придётся восстановить до осенних штормов. Работы на "
            "первой из них начались в среду днём.",
            "Мэр поблагодарил добровольцев, которые всю ночь наполняли мешки песком, и сказал, что "
            "здание городской администрации останется открытым как убежище, пока каждая семья не "
            "сможет безопасно вернуться домой.",
            "Фермеры ниже по течению опасаются, что урожай на многих полях потерян. Управление "
            "сельского хозяйства обещало оценить ущерб к концу следующей недели.",
        ],
        "side": ["Самое читаемое", "Местные выборы: кто баллотируется в вашем округе",
                 "Пять прогулок на выходные", "Рассылка", "Контакты", "Политика конфиденциальности"],
    },
    "zh": {
        "menu": ["首页", "国际", "财经", "体育", "天气", "登录"],
        "title": "河谷洪水开始消退 堤坝修复工作启动",
        "body": [
            "河谷地区的洪水于周三开始消退。三天前，连续强降雨使河水漫过河岸，两千多名居民被迫离开家园。"
            "地方政府表示，大部分道路已经重新开放，电力供应也在逐步恢复。",
            "地区水务局的工程师说，主堤坝经受住了考验，但老磨坊附近的两座小堤坝需要在秋季风暴到来之前重建。"
            "第一座堤坝的修复工作已于周三下午开始，预计需要两周时间完成。",
            "市长感谢了整夜装填沙袋的志愿者，并表示市政厅将继续作为临时避难所开放，直到每个家庭都能安全返回。"
            "他还呼吁居民在返家前先检查房屋的电线和燃气管道。",
            "下游的农民担心许多田地的收成已经损失。农业部门承诺在下周末之前公布损失评估，并研究补助方案。",
        ],
        "side": ["热门文章", "地方选举：你所在选区的候选人名单", "周末五条徒步路线推荐", "订阅新闻",
                 "联系我们", "隐私政策"],
    },
}


def paragraph_page(page: dict) -> str:
    """The page as a browser's copy: one paragraph per line, blank lines between blocks."""
    return "\n".join([*page["menu"], "", page["title"], "", *page["body"], "", *page["side"]])


def wrap_line(line: str, cols: int, indent: str = "") -> list[str]:
    """Hard-wrap one paragraph at ``cols`` display columns, as a text browser does: break at a
    space where there is one, else (CJK) between characters."""
    out: list[str] = []
    cur = indent
    tokens = line.split(" ") if " " in line else list(line)
    spaced = " " in line
    for tok in tokens:
        pieces = [tok] if spaced or width(tok) <= 2 else list(tok)
        for piece in pieces:
            sep = " " if spaced and cur.strip() else ""
            if width(cur + sep + piece) > cols and cur.strip():
                out.append(cur)
                cur = indent + piece
            else:
                cur = cur + sep + piece
    if cur.strip():
        out.append(cur)
    return out


def wrapped_page(page: dict, cols: int = 76, indent: str = "") -> str:
    """The page hard-wrapped (``w3m -dump``-like): menu as a bulleted list, paragraphs wrapped,
    a blank line after each paragraph."""
    lines = [f"  • {m}" for m in page["menu"]] + ["", *wrap_line(page["title"], cols, indent), ""]
    for para in page["body"]:
        lines += [*wrap_line(para, cols, indent), ""]
    lines += [f"  • {s}" for s in page["side"]]
    return "\n".join(lines)


def double_spaced_page(page: dict, cols: int = 72) -> str:
    """The wrapped page double-spaced (typescript, some e-mail and wire copy): a blank line
    after every line, so two or more between paragraphs."""
    return "\n".join(x for line in wrapped_page(page, cols).split("\n") for x in (line, ""))


def lynx_page(page: dict, cols: int = 76) -> str:
    """The page as ``lynx -dump`` writes it: indented, wrapped, ``[n]`` before each link (the
    menu, the sidebar and a link inside the second paragraph) and a "References" footer."""
    n = 0
    lines = []
    for m in page["menu"]:
        n += 1
        lines.append(f"     * [{n}]{m}")
    lines += ["", *wrap_line(page["title"], cols, "   "), ""]
    for k, para in enumerate(page["body"]):
        if k == 1 and " " in para:  # a link inside the paragraph: lynx writes "[7]word"
            words = para.split(" ")
            n += 1
            words[3] = f"[{n}]{words[3]}"
            para = " ".join(words)
        lines += [*wrap_line(para, cols, "   "), ""]
    for s in page["side"]:
        n += 1
        lines.append(f"     * [{n}]{s}")
    lines += ["", "References", "", "   Visible links:"]
    lines += [f"  {i:>3}. https://news.example.org/{i}" for i in range(1, n + 1)]
    return "\n".join(lines)


def markdown_page(page: dict, cols: int | None = None) -> str:
    """The page as a scraper writes it in markdown (pandoc's ``gfm``): the menu and the sidebar
    as lists of links, the headline as a heading, a bold lead word and a link inside the second
    paragraph (scripts with spaces), a picture; with ``cols``, wrapped there, link targets
    overrunning the margin as they do (a target is never broken)."""
    def link(text: str, k: int) -> str:
        return f"[{text}](https://news.example.org/section/{k}/a-long-path-that-will-not-break)"

    lines = [f"-   {link(m, k)}" for k, m in enumerate(page["menu"])] + ["", f"# {page['title']}", ""]
    lines += ["![Flood](https://news.example.org/img/flood-2024-10-02-1200x800.jpg)", ""]
    for k, para in enumerate(page["body"]):
        if " " in para and k in (0, 1):
            words = para.split(" ")
            words[3] = f"**{words[3]}**" if k == 0 else link(words[3], 99)
            para = " ".join(words)
        lines += [*(wrap_line(para, cols) if cols else [para]), ""]
    lines += [f"-   {link(s, 50 + k)}" for k, s in enumerate(page["side"])]
    return "\n".join(lines)
