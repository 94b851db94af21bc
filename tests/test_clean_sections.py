"""Section headers (``clean.sections``): which short lines open comments / related-news / sharing
blocks, in several scripts, and the per-line distances the line model reads from them."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.clean.sections import (
    COMMENTS,
    N_SECTION_FEATURES,
    RELATED,
    SOCIAL,
    header_kind,
    in_section,
    normalise,
    section_features,
)


@pytest.mark.parametrize("line,kind", [
    ("Comments (12)", COMMENTS), ("Leave a Reply", COMMENTS), ("4 Kommentare", COMMENTS),
    ("1 Kommentar", COMMENTS), ("Comment (1)", COMMENTS),
    ("التعليقات", COMMENTS), ("أضف تعليقاً", COMMENTS), ("Σχόλια", COMMENTS),
    ("Комментарии", COMMENTS), ("评论", COMMENTS), ("Yorumlar", COMMENTS),
    ("Read also", RELATED), ("Related Articles:", RELATED), ("Lesen Sie auch", RELATED),
    ("À lire aussi", RELATED), ("اقرأ أيضا", RELATED), ("مواضيع ذات صلة", RELATED),
    ("Διαβάστε επίσης", RELATED), ("Читайте также:", RELATED), ("相关新闻", RELATED),
    ("関連記事", RELATED), ("Popular now", RELATED),
    ("Share this:", SOCIAL), ("Tags", SOCIAL), ("Newsletter abonnieren", SOCIAL), ("تابعنا", SOCIAL),
])
def test_headers_in_several_languages(line, kind):
    assert header_kind(line) == kind


@pytest.mark.parametrize("line,kind", [
    ("यह भी पढ़ें", RELATED), ("टिप्पणियाँ", COMMENTS), ("আরও পড়ুন", RELATED), ("মন্তব্য", COMMENTS),
    ("ข่าวที่เกี่ยวข้อง", RELATED), ("แสดงความคิดเห็น", COMMENTS), ("ထိပ်တန်း သတင်းများ", RELATED),
    ("Tin liên quan", RELATED), ("Bình luận", COMMENTS), ("あわせて読みたい", RELATED),
    ("アクセスランキング 一覧", RELATED), ("관련 기사", RELATED), ("많이 본 기사", RELATED), ("相关报道", RELATED),
    ("مزید پڑھیں", RELATED), ("शेयर करें", SOCIAL), ("แชร์", SOCIAL), ("関連キーワード", SOCIAL),
])
def test_headers_in_scripts_the_training_pages_lack(line, kind):
    # Hindi, Bengali, Thai, Burmese, Vietnamese, Japanese, Korean, Chinese, Urdu: the line
    # model's n-grams never saw them, so the list names them
    assert header_kind(line) == kind


@pytest.mark.parametrize("line", [
    "आरबीआई ने रेपो रेट में बदलाव नहीं किया",  # Hindi: a headline
    "ทหารเข้าควบคุมพื้นที่",  # Thai: a headline, one run without spaces
    "ข่าวที่เกี่ยวข้องกับการเลือกตั้ง ทั้งหมด ในสัปดาห์นี้",  # Thai: longer than a header
    "Tin liên quan đến vụ cháy ở quận 1 tối qua",  # Vietnamese: a teaser that starts like one
])
def test_lines_in_those_scripts_that_are_not_headers(line):
    assert header_kind(line) == -1


@pytest.mark.parametrize("line", [
    "The comments were clear about what the council wanted.",  # prose that mentions comments
    "Popular science is fun",  # a one-word phrase takes one more word at most
    "Kommentar",  # alone, a label of an opinion piece; with a count, a comments header
    "Comment",
    "Discussion",  # a section of a paper or a report, as often as a comments header
    "Reactions",
    "Read also: the long headline of another story on the same site",  # a teaser, not a header
    "Lesen Sie auch, was der Rat am Montag beschlossen hat und warum",
    "",
    "12:30",
    "x" * 200,
])
def test_other_lines_are_not_headers(line):
    assert header_kind(line) == -1


def test_normalise_folds_case_accents_and_arabic_variants():
    assert normalise("À LIRE aussi !") == "a lire aussi"
    assert normalise("إقرأ أيضاً") == normalise("اقرا ايضا")
    assert normalise("Διαβάστε ΕΠΙΣΗΣ") == "διαβαστε επισησ"


def test_features_count_lines_below_the_nearest_header():
    texts = ["Menu", "Headline of the story", "Body line one.", "Comments", "A reader writes.",
             "Read also", "Teaser one", "Teaser two"]
    f = section_features(texts)
    assert f.shape == (len(texts), N_SECTION_FEATURES)
    assert f[:, 0].tolist() == [0, 0, 0, 1, 0, 0, 0, 0]  # comments header
    assert f[:, 1].tolist() == [0, 0, 0, 0, 0, 1, 0, 0]  # related header
    assert f[:, 3].tolist() == [60, 60, 60, 0, 1, 2, 3, 4]  # lines below "Comments" (60: none above)
    assert f[:, 4].tolist() == [60, 60, 60, 60, 60, 0, 1, 2]  # lines below "Read also"
    assert section_features([]).shape == (0, N_SECTION_FEATURES)
    assert np.array_equal(section_features(["Share"])[:, 2], [1.0])


def test_sections_open_only_below_the_body_start():
    texts = ["Related", "Headline", "Body one.", "Body two.", "Comments", "A reader writes.", "Share"]
    assert in_section(texts, 2).tolist() == [0, 0, 0, 0, 1, 1, 1]  # the menu's "Related" opens nothing
    assert in_section(texts, 0).tolist() == [1] * 7
    assert in_section([], 0).shape == (0,)
