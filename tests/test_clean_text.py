"""Unit tests for the text-dump cleaner (storyline.clean.text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storyline.clean.text import TextCleaner, _is_metadata, find_date
from storyline.evaluate import score_textclean, snippet_hits

SHARED = Path(__file__).resolve().parents[2] / "shared"

EN_PAGE = """Storm floods coastal towns | The Daily Example
Home
News
Sport
Weather
Subscribe
Storm floods coastal towns
By Jane Doe
20 September 2016
![Flooded street](https://example.com/img/flood.jpg)
Heavy rain and a storm surge flooded several coastal towns on Tuesday, forcing hundreds of residents to leave their homes overnight.
Emergency services said the water rose faster than expected, and that rescue boats had been sent to the worst-hit streets near the harbour.
"We have never seen anything like this," said the mayor, who asked residents to stay away from the sea front until the weekend.
Forecasters expect the weather to calm down on Thursday, although more rain is likely in the north &amp; west of the country.
Read also: Local team wins the regional cup final
Read more
- Celebrity chef opens a new restaurant downtown
- Ten gadgets you need this summer
- Stock markets close higher after a quiet week
Leave a comment
Name *
Email *
Comment
Post comment
Storm floods coastal towns
Follow us on Facebook
© 2016 The Daily Example. All rights reserved.
"""

DE_PAGE = """Neue Brücke über den Rhein eröffnet - Stadtanzeiger
Startseite
Lokales
Politik
Neue Brücke über den Rhein eröffnet
03.05.2021
Nach vier Jahren Bauzeit ist die neue Rheinbrücke am Montag für den Verkehr freigegeben worden. Täglich sollen dort bis zu 40.000 Fahrzeuge fahren.
Die Baukosten lagen mit 120 Millionen Euro etwas über der ursprünglichen Planung, wie die Stadtverwaltung auf Nachfrage mitteilte.
Für Radfahrer gibt es erstmals einen eigenen, baulich getrennten Weg, den der örtliche Fahrradclub ausdrücklich lobte.
Das könnte Sie auch interessieren
- Rezept: So gelingt der perfekte Apfelkuchen
- Horoskop für die kommende Woche
Impressum
Datenschutz
© 2021 Stadtanzeiger
"""

EL_PAGE = """Σεισμός 5,2 Ρίχτερ στην Κρήτη χωρίς ζημιές
Αρχική
Ειδήσεις
Σεισμός 5,2 Ρίχτερ στην Κρήτη χωρίς ζημιές
12 Σεπτεμβρίου 2023
Σεισμική δόνηση μεγέθους 5,2 Ρίχτερ σημειώθηκε τα ξημερώματα της Τρίτης ανοιχτά της Κρήτης, σύμφωνα με το Γεωδυναμικό Ινστιτούτο.
Ο σεισμός έγινε αισθητός σε πολλές περιοχές του νησιού, ωστόσο δεν έχουν αναφερθεί ζημιές ή τραυματισμοί.
Οι σεισμολόγοι εκτιμούν ότι πρόκειται για κύριο σεισμό και καλούν τους κατοίκους να παραμείνουν ψύχραιμοι.
Διαβάστε επίσης
- Νέα μέτρα για την ακρίβεια στα σούπερ μάρκετ
- Ο καιρός του Σαββατοκύριακου
Ακολουθήστε μας στο Google News
© 2023 Ειδήσεις Σήμερα. Με την επιφύλαξη παντός δικαιώματος.
"""

AR_PAGE = """افتتاح معرض الكتاب الدولي في القاهرة بمشاركة واسعة
الرئيسية
أخبار
رياضة
افتتاح معرض الكتاب الدولي في القاهرة بمشاركة واسعة
2024-01-25
افتتح وزير الثقافة اليوم الخميس معرض القاهرة الدولي للكتاب في دورته الجديدة، بمشاركة أكثر من ألف دار نشر من عشرات الدول العربية والأجنبية.
وقال الوزير في كلمته إن المعرض يمثل نافذة مهمة للثقافة العربية، ويستقبل ملايين الزوار كل عام من مختلف الأعمار.
ويستمر المعرض لمدة أسبوعين، ويتضمن برنامجا ثقافيا يشمل ندوات وأمسيات شعرية وورش عمل للأطفال.
اقرأ أيضا
- أسعار الذهب اليوم في الأسواق
- نتائج مباريات الدوري المحلي
أضف تعليقاً
الإسم *
البريد الإلكتروني *
جميع الحقوق محفوظة 2024 ©
"""

ZH_PAGE = """北京地铁新线路今日开通运营_新闻频道
首页
新闻
体育
北京地铁新线路今日开通运营
2022年12月31日
北京地铁新线路今天上午正式开通运营，全长二十多公里，共设车站十五座，将大大缓解城市北部地区的交通压力。
据介绍，新线路采用全自动运行系统，最高时速可达每小时一百公里，高峰时段发车间隔约为三分钟。
市民表示，新线路开通后上下班通勤时间明显缩短，出行更加方便快捷。
相关阅读
- 明星八卦：某歌手宣布新专辑
- 今日股市行情一览
版权所有 © 2022 新闻网
"""

PAGES = [
    # (page, title, date, body snippets, boilerplate snippets)
    (EN_PAGE, "Storm floods coastal towns", "2016-09-20",
     ["Heavy rain and a storm surge", "rescue boats had been sent", "never seen anything like this",
      "in the north & west of the country"],
     ["Local team wins", "Celebrity chef", "Ten gadgets", "Leave a comment", "Name *",
      "Follow us on Facebook", "All rights reserved", "![Flooded street]", "Subscribe"]),
    (DE_PAGE, "Neue Brücke über den Rhein eröffnet", "2021-05-03",
     ["Nach vier Jahren Bauzeit", "Die Baukosten lagen", "Für Radfahrer gibt es"],
     ["Apfelkuchen", "Horoskop", "Impressum", "© 2021 Stadtanzeiger", "Startseite"]),
    (EL_PAGE, "Σεισμός 5,2 Ρίχτερ στην Κρήτη χωρίς ζημιές", "2023-09-12",
     ["Σεισμική δόνηση μεγέθους", "Ο σεισμός έγινε αισθητός", "Οι σεισμολόγοι εκτιμούν"],
     ["Νέα μέτρα για την ακρίβεια", "Ο καιρός του Σαββατοκύριακου", "Ακολουθήστε μας",
      "επιφύλαξη παντός δικαιώματος"]),
    (AR_PAGE, "افتتاح معرض الكتاب الدولي في القاهرة بمشاركة واسعة", "2024-01-25",
     ["افتتح وزير الثقافة اليوم الخميس", "وقال الوزير في كلمته", "ويستمر المعرض لمدة أسبوعين"],
     ["أسعار الذهب اليوم", "نتائج مباريات الدوري", "أضف تعليقاً", "الإسم *", "جميع الحقوق محفوظة"]),
    (ZH_PAGE, "北京地铁新线路今日开通运营_新闻频道", "2022-12-31",
     ["北京地铁新线路今天上午正式开通运营", "新线路采用全自动运行系统", "市民表示"],
     ["明星八卦", "今日股市行情", "版权所有"]),
]


def _output(doc) -> str:
    return "\n".join(([doc.title] if doc.title else []) + list(doc.paragraphs))


@pytest.mark.parametrize("page,title,date,body,boiler", PAGES, ids=["en", "de", "el", "ar", "zh"])
def test_pages_in_several_scripts(page, title, date, body, boiler):
    doc = TextCleaner().clean(page)
    out = _output(doc)
    assert doc.title is not None and title in doc.title
    assert doc.date == date
    for s in body:
        assert s in out, s
    for s in boiler:
        assert s not in out, s
        assert any(s in r.text or s.replace("&", "&amp;") in r.text for r in doc.removed), s
    assert all(r.reason for r in doc.removed)
    # the title is not repeated inside the paragraphs
    assert all(p.strip() != doc.title.strip() for p in doc.paragraphs)
    assert not any(p.startswith("![") for p in doc.paragraphs)


def test_removed_reasons_are_specific():
    doc = TextCleaner().clean(EN_PAGE)
    reasons = {r.text: r.reason for r in doc.removed}
    assert reasons["![Flooded street](https://example.com/img/flood.jpg)"] in {"image", "before-body"}
    assert reasons["© 2016 The Daily Example. All rights reserved."] in {"copyright", "after-body"}
    assert reasons["Read also: Local team wins the regional cup final"] in {"read-also", "after-body"}


def test_text_browser_placeholders_inside_the_body_go():
    # w3m / html2text / lynx write an image's file name or alt text, or a form control, as a
    # bracketed placeholder line; inside the article it is neither article nor a sentence
    paras = ["Flood waters in the river valley began to recede on Wednesday, three days after heavy "
             "rain pushed the river over its banks and forced hundreds of people to leave their homes.",
             "Officials said the clean-up would take weeks and that the main bridge stays closed until "
             "engineers have checked it, while schools in the valley reopen on Monday as planned.",
             "Residents were told to boil tap water until further notice, and the regional government "
             "promised emergency funds for the families whose houses were damaged by the flood."]
    url = "[//img3.example.com/images/202311/07/6549e259a310d5acb8538ecd.jpeg]"  # html2text, no alt text
    page = "\n".join(["Home | News | Weather", "River valley flood recedes after three days",
                       paras[0], "[flood-bridge-2019-1024x672.jpg]", paras[1], "[Image] [Image]",
                       paras[2], url, "(BUTTON) Share", "(BUTTON)"])
    for model in (True, False):
        doc = TextCleaner(learned=model).clean(page)
        assert all(x in doc.paragraphs for x in paras), model
        assert not any(x.startswith(("[", "(BUTTON)")) for x in doc.paragraphs), model
        reasons = {r.text: r.reason for r in doc.removed}
        assert reasons["[flood-bridge-2019-1024x672.jpg]"] == "image"
        assert reasons["[Image] [Image]"] == "image"
        assert reasons[url] in {"image", "after-body"}


def test_code_and_markup_blobs_go_but_code_in_an_article_stays():
    # a lynx dump of a news page with its consent-manager script printed as text, and a
    # programming article whose code is part of the article
    script = ('r(e){window._sp_.vid&&window._sp_.vid.protectElement&&window._sp_.vid.protectElement(e)}t.a=r;'
              'n(0).get("util:load_via_xhr:index"),{parseHref:i,parseCSS:u};if(m=arguments,v=this){return l(O)}')
    paras = ["Flood waters in the river valley began to recede on Wednesday, three days after heavy "
             "rain pushed the river over its banks and forced hundreds of people to leave their homes.",
             "Officials said the clean-up would take weeks and that the main bridge stays closed until "
             "engineers have checked it, while schools in the valley reopen on Monday as planned."]
    page = "\n".join(["Home", "River valley flood recedes after three days", paras[0], script, script[::-1],
                       paras[1]])
    for model in (True, False):
        doc = TextCleaner(learned=model).clean(page)
        assert all(x in doc.paragraphs for x in paras), model
        assert {r.reason for r in doc.removed if r.text in (script, script[::-1])} == {"code"}, model
    code = 'my_ggp <- ggplot(data, aes(x = Groups, y = Probability, fill = Groups)) + geom_bar(stat = "identity")'
    article = "\n".join(["How to draw a bar chart in R", paras[0], "First build the plot object:", code, paras[1]])
    assert code in TextCleaner(learned=False).clean(article).paragraphs


def test_html_entities_are_decoded():
    doc = TextCleaner().clean(EN_PAGE)
    assert "&amp;" not in _output(doc)
    assert "north & west" in _output(doc)


def test_whitespace_is_normalised_like_str_split():
    """Lines are split and their whitespace collapsed in whole-page operations; the result must
    be what splitlines() and " ".join(line.split()) give, for every kind of Unicode space."""
    import sys

    from storyline.clean import text as text_mod

    spaces = "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace() and chr(i) != "\n")
    assert text_mod._LINE_SPACE == spaces
    page = "  Title\u00a0\u00a0of it \r\nBody\tline.\u3000\u2003x\u2028next «quoted.» \n \n\x0cend"
    lines = TextCleaner._split(page)
    want = [" ".join(raw.split()) for raw in page.splitlines() if raw.split()]
    assert [ln.text for ln in lines] == want
    assert [ln.key for ln in lines] == [w.lower() for w in want]
    assert [ln.sentence for ln in lines] == [False, False, True, False]


def test_empty_and_tiny_input():
    assert TextCleaner().clean("").paragraphs == ()
    assert TextCleaner().clean("   \n\n ").title is None
    doc = TextCleaner().clean("Just one line of text here.")
    assert doc.title == "Just one line of text here."


@pytest.mark.parametrize("text,iso", [
    ("Published 2016-09-20 10:00", "2016-09-20"),
    ("20/09/2016", "2016-09-20"),
    ("20.09.2016, 14:00 Uhr", "2016-09-20"),
    ("20 September 2016", "2016-09-20"),
    ("September 20, 2016", "2016-09-20"),
    ("3. Mai 2021", "2021-05-03"),
    ("12 Σεπτεμβρίου 2023", "2023-09-12"),
    ("2022年12月31日", "2022-12-31"),
    ("no date here", None),
    ("99/99/2016", None),
])
def test_find_date(text, iso):
    assert find_date(text) == iso


def test_fit_learns_site_templates():
    boiler = "Support our independent journalism today and become a member of the club."
    pages = []
    for i in range(6):
        pages.append(
            f"Headline number {i} about the city council\nHome\nNews\n"
            f"The city council met on day {i} to discuss the new budget, which includes more money for schools.\n"
            f"{boiler}\n"
            f"Council members will vote on the proposal next week, after a public hearing on day {i + 1}.\n"
        )
    plain = TextCleaner().clean(pages[0])
    assert boiler in plain.paragraphs  # looks like body text on a single page
    fitted = TextCleaner().fit(pages)
    doc = fitted.clean(pages[0])
    assert boiler not in doc.paragraphs
    assert any(r.reason == "template" and r.text == boiler for r in doc.removed)
    assert any("city council met" in p for p in doc.paragraphs)


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_seed_pages_match_gold():
    seeds = SHARED / "seeds"
    if not (seeds / "gold.json").exists():
        pytest.skip("shared/seeds not available")
    cleaner = TextCleaner()
    for entry in json.loads((seeds / "gold.json").read_text(encoding="utf-8")):
        doc = cleaner.clean((seeds / entry["file"]).read_text(encoding="utf-8"))
        out = _norm(_output(doc))
        for s in entry["with"]:
            assert _norm(s) in out, (entry["file"], s)
        for s in entry["without"]:
            assert _norm(s) not in out, (entry["file"], s)


def test_snippet_hits():
    assert snippet_hits("a  b\nc", ["a b c", "x"], ["c", "y"]) == (1, 1, 1, 1)


def test_dev_benchmark_f1():
    dev = SHARED / "bench" / "textclean" / "dev.jsonl"
    if not dev.exists():
        pytest.skip("shared/bench/textclean/dev.jsonl not available")
    res = score_textclean(dev)
    assert res["pages"] > 0
    assert res["f1"] >= 0.95, res  # in-sample (the line model was trained on this file): 0.968


PLAIN_ARTICLES = {
    "en": ["Council approves new budget for city schools",
           "The city council approved a new budget on Monday that gives schools more money for teachers and books.",
           "The vote was close, with seven members in favour and six against the plan.",
           "Parents welcomed the decision."],
    "de": ["Stadtrat beschließt neuen Haushalt",
           "Der Stadtrat hat am Montag einen neuen Haushalt beschlossen, der den Schulen mehr Geld bringt.",
           "Die Abstimmung fiel knapp aus: Sieben Mitglieder stimmten dafür, sechs dagegen.",
           "Die Eltern begrüßten die Entscheidung.",
           "Der Haushalt gilt ab dem ersten Januar."],
    "el": ["Το δημοτικό συμβούλιο ενέκρινε τον νέο προϋπολογισμό",
           "Το δημοτικό συμβούλιο ενέκρινε τη Δευτέρα νέο προϋπολογισμό που δίνει περισσότερα χρήματα στα σχολεία.",
           "Η ψηφοφορία ήταν οριακή, με επτά μέλη υπέρ και έξι κατά."],
    "ar": ["المجلس البلدي يقر ميزانية جديدة للمدارس",
           "أقر المجلس البلدي يوم الاثنين ميزانية جديدة تمنح المدارس مزيدا من الأموال للمعلمين والكتب.",
           "وجاء التصويت متقاربا، إذ صوت سبعة أعضاء لصالح الخطة وعارضها ستة.",
           "ورحب أولياء الأمور بالقرار."],
    "ru": ["Городской совет утвердил новый бюджет",
           "В понедельник городской совет утвердил новый бюджет, который выделяет школам больше денег на учителей.",
           "Голосование было напряжённым: семь депутатов проголосовали за, шесть против.",
           "Родители приветствовали это решение.",
           "Бюджет вступит в силу с первого января.",
           "Следующее заседание совета пройдёт в феврале."],
    "zh": ["市议会通过新的学校预算",
           "市议会周一通过了一项新的预算，为学校的教师和图书提供更多资金。",
           "投票结果十分接近，七名议员赞成，六名反对。",
           "家长们对这一决定表示欢迎。"],
}


@pytest.mark.parametrize("lang", sorted(PLAIN_ARTICLES))
def test_plain_short_article_comes_out_whole(lang):
    title, *body = PLAIN_ARTICLES[lang]
    doc = TextCleaner().clean("\n".join([title, *body]) + "\n")
    assert doc.title == title
    assert doc.paragraphs == tuple(body), doc.removed
    assert doc.removed == ()
    # blank lines between paragraphs (a typical .txt article) change nothing
    doc = TextCleaner().clean("\n\n".join([title, *body]))
    assert doc.paragraphs == tuple(body)


@pytest.mark.parametrize("text", [
    "भारी बारिश के बाद नदी का पानी बुधवार को उतरने लगा।",  # Hindi: danda
    "ভারী বৃষ্টির পর বন্যার পানি বুধবার নামতে শুরু করেছে।",  # Bengali: danda
    "မိုးသည်းထန်စွာ ရွာသွန်းပြီးနောက် ရေကြီးမှု ကျဆင်းလာခဲ့သည်။",  # Burmese
    "شدید بارش کے بعد سیلاب کا پانی بدھ کو اترنا شروع ہو گیا۔",  # Urdu: Arabic full stop
    "ከከባድ ዝናብ በኋላ የጎርፍ ውሃ ረቡዕ መቀነስ ጀመረ።",  # Amharic
    "ទឹកជំនន់បានចាប់ផ្តើមស្រកនៅថ្ងៃពុធ។",  # Khmer
])
def test_a_line_ending_in_its_scripts_full_stop_is_a_sentence(text):
    line = TextCleaner._split(text)[0]
    assert line.sentence


def test_burmese_article_is_kept_whole_by_its_sentence_marks():
    # Burmese ends a sentence with "။": read as prose, the article outweighs the teaser list
    # below it (before, the rules kept one of its five sentences)
    body = ["မိုးသည်းထန်စွာ ရွာသွန်းပြီးနောက် မြစ်ချိုင့်ဝှမ်းရှိ ရေကြီးမှုသည် ဗုဒ္ဓဟူးနေ့တွင် စတင်ကျဆင်းလာခဲ့သည်။",
            "တာဝန်ရှိသူများက သန့်ရှင်းရေးလုပ်ငန်းသည် ရက်သတ္တပတ်အနည်းငယ်ကြာမည်ဟု ပြောသည်။",
            "အင်ဂျင်နီယာများ စစ်ဆေးပြီးသည်အထိ အဓိကတံတားကို ပိတ်ထားမည် ဖြစ်သည်။",
            "ကျောင်းများကို တနင်္လာနေ့တွင် ပြန်ဖွင့်မည်ဟု ဒေသအစိုးရက ကြေညာခဲ့သည်။",
            "ရေကြီးမှုကြောင့် အိမ်ထောင်စုရာနှင့်ချီ၍ အိမ်များမှ ထွက်ခွာခဲ့ရသည်။"]
    teasers = ["အစိုးရငြိမ်းချမ်းရေးကော်မရှင်နဲ့ မြောက်ပိုင်းမဟာမိတ်အဖွဲ့ တွေ့ဆုံ",
               "ဒုက္ခသည် နှစ်ထောင်ကျော် ပထမအသုတ် အနေနဲ့ နေရပ်ပြန်မည်",
               "တရားဥပဒေကို မှန်မှန်ကန်ကန် ဆုံးဖြတ်သွားဖို့ တောင်းဆို",
               "အင်ဒိုနီးရှားလေယာဉ်ပျက်ကျမှု လူ ၁ဝဝ ကျော် သေဆုံး",
               "အောက်တိုဘာ ၃၁ ရက်မနက်ပိုင်းသိသင့်တဲ့သတင်းများ",
               "ရန်ကုန်မြို့တွင် မီးလောင်မှု အိမ်ခြေ ၅၀ ပျက်စီး"]
    page = "\n".join(["ပင်မစာမျက်နှာ", "သတင်း", "မြစ်ချိုင့်ဝှမ်း ရေကြီးမှု ကျဆင်း", *body,
                      "ထိပ်တန်း သတင်းများ", *teasers, "© 2024 BBC"])
    rules = TextCleaner(learned=False).clean(page)
    assert all(b in rules.paragraphs for b in body)
    assert not any(t in rules.paragraphs for t in teasers)
    # the learned pass keeps the article too, and reads "Top stories" (ထိပ်တန်း သတင်းများ) as
    # a related-news header (clean.sections): the teasers below it go
    learned = TextCleaner().clean(page)
    assert all(b in learned.paragraphs for b in body)
    assert not any(t in learned.paragraphs for t in teasers)


def test_a_bare_address_line_goes_but_a_sentence_with_a_link_stays():
    # lynx prints an embedded widget's frame as its address, joined with a space where it
    # was wrapped; a sentence that holds a link is article
    paras = ["Flood waters in the river valley began to recede on Wednesday, three days after heavy "
             "rain pushed the river over its banks and forced hundreds of people to leave their homes.",
             "Officials said the clean-up would take weeks and that the main bridge stays closed until "
             "engineers have checked it, while schools in the valley reopen on Monday as planned.",
             "The full report of the regional water authority is online at https://example.org/report "
             "and the authority will answer questions from residents at the town hall on Friday."]
    widget = ("https://platform.twitter.com/widgets/tweet_button.html?count=vertic al&lang=en&url=http://"
              "example.com/2013/flood /index.html")
    page = "\n".join(["Home | News | Weather", "River valley flood recedes after three days",
                       paras[0], widget, paras[1], paras[2], "© 2024 Example News"])
    for model in (True, False):
        doc = TextCleaner(learned=model).clean(page)
        assert all(x in doc.paragraphs for x in paras), model
        assert {r.text: r.reason for r in doc.removed}[widget] == "image", model


METADATA_LINES = ["3:59 PM", "Dienstag, 4. Juni 2019, 15:54", "8 years, 2 months ago",
                  "Aktualisiert am 11.04.2020 um 09:30", "17 April 2012 • 2:54pm", "asked Feb 6, 2014 at 20:37",
                  "Foto: Christof Stache", "(Quelle: Landesregierung)", "picture alliance | Andrew Milligan",
                  "Erdölpumpen im Abendrot. Bild: TebNad/Shutterstock.com",
                  "Son tres los periodos de vacaciones durante el año escolar. Foto: Andina"]


@pytest.mark.parametrize("line", METADATA_LINES)
def test_date_time_and_photo_credit_lines_in_the_body_go(line):
    # a line that is only a date, a time or a photo credit, or a caption ending in a credit, is
    # the article's metadata; sentences that hold a date, a time or a picture stay
    paras = ["Flood waters in the river valley began to recede on Wednesday, 4 June 2019, three days "
             "after heavy rain pushed the river over its banks and forced hundreds of people to leave.",
             "Officials said the clean-up would take weeks and that the main bridge stays closed until "
             "engineers have checked it; the photo agency's pictures show the damage at 15:54 that day.",
             "Residents were told to boil tap water until further notice, and the regional government "
             "promised emergency funds for the families whose houses were damaged by the flood.",
             "Weitere Informationen erteilt die Leitstelle der Stadt unter der Telefonnummer, die auf "
             "der Seite der Verwaltung steht, und im Bürgerbüro am Markt, montags bis freitags. "
             "Foto: Christof Stache zeigt, wie das Wasser im Juni 2019 stand, "
             "als der Fluss über die Ufer trat und die Brücke sperrte."]
    page = "\n".join(["Home | News | Weather", "River valley flood recedes after three days",
                       paras[0], line, paras[1], paras[2], paras[3], "© 2024 Example News"])
    for model in (True, False):
        doc = TextCleaner(learned=model).clean(page)
        assert all(x in doc.paragraphs for x in paras), model
        assert {r.text: r.reason for r in doc.removed}[line] == "metadata", model


@pytest.mark.parametrize("line", ["Veröffentlicht von Anna Schmidt in Politik", "Schritt 3: 15 Minuten kochen",
                                  "Foto-Wettbewerb: Die besten Bilder des Jahres 2019 im Überblick",
                                  "Photos of the flood were shared thousands of times on Monday."])
def test_lines_that_only_mention_a_date_or_a_photo_are_not_metadata(line):
    assert not _is_metadata(line)


def test_a_text_browsers_form_controls_in_the_body_go():
    # lynx and w3m print a text field as a run of underscores and a check box as "[ ]"; with
    # little else on the line it is a form's label. An article line that holds "[ ]" or an
    # identifier with underscores stays
    paras = ["Flood waters in the river valley began to recede on Wednesday, three days after heavy "
             "rain pushed the river over its banks and forced hundreds of people to leave their homes.",
             "Officials said the clean-up would take weeks; the script that reads the gauges, "
             "read_river_level_sensors, was rewritten overnight by two engineers from the agency.",
             "Residents were told to boil tap water until further notice, and the regional government "
             "promised emergency funds for the families whose houses were damaged by the flood."]
    form = ["Name * ______________________________", "[ ] Save my name in this browser", "(*) Yes"]
    page = "\n".join(["Home | News | Weather", "River valley flood recedes after three days",
                       paras[0], form[0], paras[1], form[1], form[2], paras[2], "© 2024 Example News"])
    for model in (True, False):
        doc = TextCleaner(learned=model).clean(page)
        assert all(x in doc.paragraphs for x in paras), model
        reasons = {r.text: r.reason for r in doc.removed}
        assert all(reasons[x] == "form" for x in form), (model, reasons)
