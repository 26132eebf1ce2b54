"""Duplicate proposals from Chinese free text, school, place and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safecampus.leads.similarity import (
    TEXT_GATE,
    LeadSketch,
    containment,
    duplicate_score,
    jaccard,
    normalise,
    propose_duplicates,
    shingles,
    text_similarity,
)

SCHOOL_A = 7
SCHOOL_B = 9
T0 = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)

EXTORTION = "校门口有几个社会青年向学生强要钱财"
EXTORTION_RETOLD = "学校大门口社会人员向学生勒索钱财"
CANTEEN = "学校食堂的饭菜不卫生，很多学生吃了拉肚子"


def lead(id_: int, text: str, school: int | None, place: str, hours: float | None) -> LeadSketch:
    occurred = None if hours is None else T0 + timedelta(hours=hours)
    return LeadSketch(id=id_, text=text, school_id=school, place=place, occurred_at=occurred)


NEW = lead(1, EXTORTION, SCHOOL_A, "校门口", 0)


def test_normalising_keeps_only_letters_and_digits_in_one_width_and_case():
    assert normalise("校门口，有人！ ＡＢｃ１２３\n（初二）") == "校门口有人abc123初二"


def test_shingles_are_character_bigrams_and_trigrams():
    assert shingles("校门口") == frozenset({"校门", "门口", "校门口"})
    assert shingles("KTV包间") == frozenset({"kt", "tv", "v包", "包间", "ktv", "tv包", "v包间"})
    assert len(shingles(EXTORTION)) == 31


def test_a_one_character_text_is_its_own_shingle_and_an_empty_one_has_none():
    assert shingles("打！") == frozenset({"打"})
    assert shingles("") == frozenset()
    assert shingles("，。！？ ") == frozenset()


def test_jaccard_and_containment_on_shingle_sets():
    a, b = frozenset({"ab", "bc", "cd"}), frozenset({"bc", "cd"})
    assert jaccard(a, b) == pytest.approx(2 / 3)
    assert containment(a, b) == 1.0
    assert jaccard(a, frozenset()) == 0.0
    assert containment(frozenset(), b) == 0.0


def test_the_same_incident_told_two_ways_shares_its_key_phrases():
    # 门口, 社会, 向学, 学生, 向学生, 钱财 of 29 shingles in the shorter text.
    assert text_similarity(EXTORTION, EXTORTION_RETOLD) == pytest.approx(6 / 29)
    assert text_similarity(EXTORTION, CANTEEN) == pytest.approx(1 / 31)


@pytest.mark.parametrize(
    "variant",
    [
        "校门口，有几个“社会青年”向学生强要钱财！",
        "校门口 有几个 社会青年 向学生 强要钱财。",
        "校门口有几个社会青年向学生强要钱财......",
    ],
)
def test_punctuation_and_spacing_do_not_matter(variant):
    assert text_similarity(EXTORTION, variant) == 1.0
    assert duplicate_score(NEW, lead(2, variant, SCHOOL_A, "校门口", 0)) == 1.0


def test_full_width_and_case_do_not_matter():
    assert text_similarity("初二(3)班学生在KTV被打", "初二（３）班学生在ｋｔｖ被打") == 1.0


@pytest.mark.parametrize("text", ["", "   ", "？！。"])
def test_an_empty_text_scores_zero(text):
    assert text_similarity(text, EXTORTION) == 0.0
    assert duplicate_score(lead(2, text, SCHOOL_A, "校门口", 0), NEW) == 0.0
    assert duplicate_score(NEW, lead(2, text, SCHOOL_A, "校门口", 0)) == 0.0


def test_the_same_incident_at_the_same_school_and_time_is_a_duplicate():
    retold = lead(2, EXTORTION_RETOLD, SCHOOL_A, "学校大门口", 2)
    place = 1 / 3  # 门口 of 校门口's three shingles
    context = 0.5 * 1 + 0.3 * (1 - 2 / 72) + 0.2 * place
    expected = 0.4 * 6 / 29 + 0.6 * context
    assert duplicate_score(NEW, retold) == pytest.approx(expected)
    assert duplicate_score(NEW, retold) == pytest.approx(0.5978, abs=1e-4)
    assert duplicate_score(retold, NEW) == duplicate_score(NEW, retold)


def test_an_unrelated_report_at_the_same_school_and_time_is_not():
    canteen = lead(3, CANTEEN, SCHOOL_A, "食堂", 1)
    gate = (1 / 31) / TEXT_GATE
    expected = 0.4 / 31 + 0.6 * (0.5 + 0.3 * (1 - 1 / 72)) * gate
    assert duplicate_score(NEW, canteen) == pytest.approx(expected)
    assert duplicate_score(NEW, canteen) == pytest.approx(0.1156, abs=1e-4)


def test_the_same_text_scores_lower_at_another_school_far_apart_in_time():
    elsewhere = lead(4, EXTORTION, SCHOOL_B, "校门口", 24 * 30)
    same_school = lead(5, EXTORTION, SCHOOL_A, "校门口", 24 * 30)
    assert duplicate_score(NEW, elsewhere) == pytest.approx(0.4)
    assert duplicate_score(NEW, same_school) == pytest.approx(0.4 + 0.6 * (0.5 + 0.2))


def test_the_same_text_at_another_school_in_the_same_hours_is_still_proposed():
    assert duplicate_score(NEW, lead(6, EXTORTION, SCHOOL_B, "校门口", 0)) == pytest.approx(0.58)


def test_what_is_unknown_counts_half():
    bare_new = lead(1, EXTORTION, None, "", None)
    assert duplicate_score(bare_new, lead(2, EXTORTION, SCHOOL_A, "校门口", 0)) == pytest.approx(
        0.7
    )
    assert duplicate_score(NEW, lead(2, EXTORTION, None, "", 3)) == pytest.approx(
        0.4 + 0.6 * (0.25 + 0.3 * (1 - 3 / 72) + 0.1)
    )


@pytest.mark.parametrize(
    ("hours", "window", "time_part"), [(48, 72, 1 / 3), (48, 24, 0), (0, 1, 1)]
)
def test_time_closeness_decays_over_the_window(hours, window, time_part):
    old = lead(2, EXTORTION, SCHOOL_A, "校门口", hours)
    expected = 0.4 + 0.6 * (0.5 + 0.3 * time_part + 0.2)
    assert duplicate_score(NEW, old, window_hours=window) == pytest.approx(expected)


def test_a_window_must_be_positive():
    with pytest.raises(ValueError, match="window_hours"):
        duplicate_score(NEW, NEW, window_hours=0)


def test_scores_stay_between_zero_and_one():
    assert duplicate_score(NEW, lead(2, EXTORTION, SCHOOL_A, "校门口", 0)) == 1.0
    assert duplicate_score(NEW, lead(2, "操场", SCHOOL_B, "操场", 999)) == 0.0


def test_proposals_are_the_best_candidates_above_the_threshold_in_order():
    candidates = [
        NEW,
        lead(2, EXTORTION_RETOLD, SCHOOL_A, "学校大门口", 2),
        lead(3, CANTEEN, SCHOOL_A, "食堂", 1),
        lead(4, EXTORTION, SCHOOL_B, "校门口", 24 * 30),
        lead(9, EXTORTION, SCHOOL_A, "校门口", 24 * 30),
        lead(8, EXTORTION, SCHOOL_A, "校门口", -24 * 30),
    ]
    proposed = propose_duplicates(NEW, candidates)
    assert [id_ for id_, _ in proposed] == [8, 9, 2]
    assert [score for _, score in proposed] == pytest.approx([0.82, 0.82, 0.5978], abs=1e-4)
    assert propose_duplicates(NEW, candidates, limit=1) == [proposed[0]]
    assert propose_duplicates(NEW, candidates, threshold=0.9) == []
    assert [id_ for id_, _ in propose_duplicates(NEW, candidates, threshold=0.4)] == [8, 9, 2, 4]


def test_nothing_is_proposed_from_no_candidates():
    assert propose_duplicates(NEW, []) == []
