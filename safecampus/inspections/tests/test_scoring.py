"""Scoring, exactly, for every item type (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from safecampus.inspections.scoring import item_outcome, percent_of, plain, score_inspection


def item(code="X", kind="yes_no", weight="10", veto=False, low=None, high=None):
    return SimpleNamespace(
        code=code,
        item_type=kind,
        weight=Decimal(weight),
        veto=veto,
        min_value=None if low is None else Decimal(low),
        max_value=None if high is None else Decimal(high),
    )


def answer(result="", number=None, score=None, text=""):
    return SimpleNamespace(
        result=result,
        number=None if number is None else Decimal(number),
        score=None if score is None else Decimal(score),
        text=text,
    )


def test_yes_no_pass_fail_and_not_applicable():
    passed = item_outcome(item(), answer("pass"))
    assert (passed.points, passed.max_points, passed.failed) == (Decimal(10), Decimal(10), False)
    failed = item_outcome(item(), answer("fail"))
    assert (failed.points, failed.max_points, failed.failed) == (Decimal(0), Decimal(10), True)
    na = item_outcome(item(), answer("na"))
    assert (na.points, na.max_points, na.counted) == (Decimal(0), Decimal(0), False)


def test_photo_items_score_like_yes_no():
    outcome = item_outcome(item(kind="photo", weight="4"), answer("fail"))
    assert (outcome.points, outcome.max_points, outcome.failed) == (Decimal(0), Decimal(4), True)


def test_score_item_takes_the_given_score_and_fails_below_sixty_percent():
    good = item_outcome(item(kind="score", weight="10"), answer(score="6"))
    assert (good.points, good.max_points, good.failed) == (Decimal(6), Decimal(10), False)
    poor = item_outcome(item(kind="score", weight="10"), answer(score="5.5"))
    assert (poor.points, poor.failed) == (Decimal("5.5"), True)


def test_number_item_earns_its_weight_only_within_the_range():
    spec = item(kind="number", weight="5", low="5", high="20")
    inside = item_outcome(spec, answer(number="20"))
    assert (inside.points, inside.max_points, inside.failed) == (Decimal(5), Decimal(5), False)
    below = item_outcome(spec, answer(number="4.99"))
    assert (below.points, below.max_points, below.failed) == (Decimal(0), Decimal(5), True)
    open_top = item_outcome(item(kind="number", weight="5", low="1"), answer(number="999"))
    assert open_top.failed is False


def test_text_items_and_unanswered_items_are_left_out():
    assert item_outcome(item(kind="text", weight="3"), answer(text="ok")).max_points == 0
    assert item_outcome(item(), None).counted is False


def test_whole_inspection_score_percent_and_pass():
    pairs = [
        (item("A"), answer("pass")),
        (item("B"), answer("fail")),
        (item("C"), answer("na")),
        (item("D", kind="score", weight="10"), answer(score="7.5")),
        (item("E", kind="number", weight="5", low="5", high="20"), answer(number="12")),
        (item("F", kind="text", weight="0"), answer(text="值班正常")),
    ]
    result = score_inspection(pairs, pass_percent=80)
    assert result.score == Decimal("22.5")
    assert result.max_score == Decimal(35)
    assert result.percent == Decimal("64.3")
    assert result.passed is False
    assert result.veto_failed is False
    assert result.failed_codes == ["B"]


def test_veto_item_fails_the_inspection_whatever_the_score():
    pairs = [(item(f"P{i}"), answer("pass")) for i in range(9)]
    pairs.append((item("V", veto=True), answer("fail")))
    result = score_inspection(pairs, pass_percent=80)
    assert result.percent == Decimal("90.0")
    assert result.veto_failed is True
    assert result.passed is False
    assert result.failed_codes == ["V"]


def test_nothing_scorable_is_one_hundred_percent():
    result = score_inspection([(item(), answer("na"))], pass_percent=80)
    assert (result.score, result.max_score, result.percent, result.passed) == (
        Decimal(0),
        Decimal(0),
        Decimal("100.0"),
        True,
    )


def test_percent_rounds_half_up_to_one_decimal():
    assert percent_of(Decimal(2), Decimal(3)) == Decimal("66.7")
    assert percent_of(Decimal("80"), Decimal("100")) == Decimal("80.0")
    assert percent_of(Decimal("1"), Decimal("8")) == Decimal("12.5")


def test_plain_numbers():
    assert plain(Decimal("10.00")) == "10"
    assert plain(Decimal("100.00")) == "100"
    assert plain(Decimal("2.50")) == "2.5"
    assert plain(None) == ""
