"""Scoring an inspection (检查评分): pure functions over items and answers, no database.

Each item contributes ``points`` out of ``max_points``:

* yes/no and photo items: pass → their weight, fail → 0, not applicable → left out;
* score items: the score given (0..weight);
* number items: their weight when the value lies within [min, max], else 0 (failed);
* text items: no points, never failed.

An unanswered optional item and a not-applicable one are left out of the maximum.
The percentage is rounded to one decimal (100.0 when nothing could be scored); an
inspection passes when no veto item (一票否决) failed and it reaches the version's pass mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol


def score_item_fail_share() -> Decimal:
    """A score item earning less than this share of its points counts as failed (so it
    becomes a finding when it has a hazard level): rule ``score_item_fail_percent``."""
    from safecampus.core.rules import rule

    return Decimal(rule("score_item_fail_percent")) / 100


ZERO = Decimal(0)
HUNDRED = Decimal(100)


class ItemLike(Protocol):
    code: str
    item_type: str
    weight: Decimal
    veto: bool
    min_value: Decimal | None
    max_value: Decimal | None


@dataclass(frozen=True)
class Outcome:
    """One item's contribution; ``counted`` is False for N.A., unanswered and text items."""

    points: Decimal = ZERO
    max_points: Decimal = ZERO
    failed: bool = False
    counted: bool = False


@dataclass(frozen=True)
class Result:
    score: Decimal
    max_score: Decimal
    percent: Decimal
    passed: bool
    veto_failed: bool
    failed_codes: list[str] = field(default_factory=list)


def _in_range(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def item_outcome(item: ItemLike, answer: Any | None) -> Outcome:
    """The points an answer earns on ``item`` (``answer`` has result, number, score, text)."""
    if answer is None or getattr(answer, "result", "") == "na":
        return Outcome()
    weight = Decimal(item.weight)
    kind = item.item_type
    if kind in ("yes_no", "photo"):
        if answer.result == "pass":
            return Outcome(weight, weight, counted=True)
        if answer.result == "fail":
            return Outcome(ZERO, weight, failed=True, counted=True)
        return Outcome()
    if kind == "score":
        if answer.score is None:
            return Outcome()
        given = min(max(Decimal(answer.score), ZERO), weight)
        return Outcome(given, weight, failed=given < weight * score_item_fail_share(), counted=True)
    if kind == "number":
        if answer.number is None:
            return Outcome()
        ok = _in_range(Decimal(answer.number), item.min_value, item.max_value)
        return Outcome(weight if ok else ZERO, weight, failed=not ok, counted=True)
    return Outcome()


def is_answered(item: ItemLike, answer: Any | None) -> bool:
    """Whether ``answer`` settles ``item`` for submitting: a result, number, score or text of
    the item's kind, or "not applicable" (which a text item cannot take)."""
    if answer is None:
        return False
    if answer.result == "na":
        return item.item_type != "text"
    if item.item_type in ("yes_no", "photo"):
        return bool(answer.result)
    if item.item_type == "number":
        return answer.number is not None
    if item.item_type == "score":
        return answer.score is not None
    return bool(answer.text.strip())


def percent_of(score: Decimal, max_score: Decimal) -> Decimal:
    if max_score <= 0:
        return Decimal("100.0")
    return (score * HUNDRED / max_score).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_inspection(pairs: Iterable[tuple[ItemLike, Any | None]], pass_percent: int) -> Result:
    """Score every (item, answer or None) pair of one inspection."""
    score = max_score = ZERO
    veto_failed = False
    failed: list[str] = []
    for item, answer in pairs:
        outcome = item_outcome(item, answer)
        score += outcome.points
        max_score += outcome.max_points
        if outcome.failed:
            failed.append(item.code)
            veto_failed = veto_failed or bool(item.veto)
    percent = percent_of(score, max_score)
    return Result(
        score=score,
        max_score=max_score,
        percent=percent,
        passed=not veto_failed and percent >= Decimal(pass_percent),
        veto_failed=veto_failed,
        failed_codes=failed,
    )


def plain(value: Decimal | None) -> str:
    """A decimal as people write it: ``10``, ``2.5`` (never ``1E+1``); "" for None."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text
