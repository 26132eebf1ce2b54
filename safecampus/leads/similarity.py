"""Proposing possible duplicates (疑似重复线索) for a new lead, from Chinese free text.

Chinese has no spaces between words, so texts are compared as sets of character
bigrams and trigrams after normalisation, which needs no segmentation
dictionary and survives different word choices around the same key phrases
(门口, 社会, 钱财). The score only *proposes*: the officer decides and merges.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

SHINGLE_SIZES = (2, 3)

# Text counts for 0.4 and context for 0.6. Character n-grams under-measure
# paraphrase (two witnesses of one extortion share a few key phrases and little
# else), so text cannot carry the decision alone; and identical text with nothing
# else in common (0.4) stays under the default threshold, because a copy-paste at
# another school months apart is more often a template than the same incident.
WEIGHT_TEXT = 0.4
WEIGHT_CONTEXT = 1.0 - WEIGHT_TEXT

# Within the context: two reports of one incident nearly always name the same
# school; reporters' times are approximate, so time decays over a window rather
# than matching exactly; place is free text ("校门口" / "学校大门口") and the
# weakest signal. The public form leaves all three optional, and a part unknown
# on either side is neither for nor against the pair, so it counts half.
WEIGHT_SCHOOL = 0.5
WEIGHT_TIME = 0.3
WEIGHT_PLACE = 0.2
UNKNOWN = 0.5

# Context counts only as far as the texts share something, fully from this text
# similarity on. Without the gate every report from a busy school in the same
# week would be proposed. Paraphrases of one incident measure 0.2-0.4; unrelated
# reports at one school share little beyond 学生 and 学校 (under 0.07).
TEXT_GATE = 0.15

DEFAULT_WINDOW_HOURS = 72
DEFAULT_THRESHOLD = 0.5
DEFAULT_LIMIT = 5


@dataclass(frozen=True, slots=True)
class LeadSketch:
    """The parts of a lead (线索) that duplicate detection compares."""

    id: int
    text: str
    school_id: int | None = None
    place: str = ""
    occurred_at: datetime | None = None


def normalise(text: str) -> str:
    """NFKC, lower case, and only letters and digits: punctuation, spaces and
    full-width forms do not change how two texts compare."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


@lru_cache(maxsize=4096)
def shingles(text: str) -> frozenset[str]:
    """Character bigrams and trigrams of the normalised text; a one-character text is itself."""
    flat = normalise(text)
    if len(flat) < min(SHINGLE_SIZES):
        return frozenset({flat}) if flat else frozenset()
    return frozenset(flat[i : i + n] for n in SHINGLE_SIZES for i in range(len(flat) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared shingles over all shingles; 0 when either side is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared shingles over the smaller set; 0 when either side is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def text_similarity(a: str, b: str) -> float:
    """Containment of the two texts' shingles, in [0, 1].

    Containment rather than Jaccard because reports of one incident differ a lot
    in length (a pupil's line, a parent's paragraph) and Jaccard punishes that.
    """
    return containment(shingles(a), shingles(b))


def duplicate_score(
    new: LeadSketch, old: LeadSketch, *, window_hours: float = DEFAULT_WINDOW_HOURS
) -> float:
    """How likely ``old`` reports the same incident as ``new``, in [0, 1]."""
    if window_hours <= 0:
        raise ValueError("window_hours must be positive.")
    text = text_similarity(new.text, old.text)
    gate = min(1.0, text / TEXT_GATE)
    return WEIGHT_TEXT * text + WEIGHT_CONTEXT * _context(new, old, window_hours) * gate


def propose_duplicates(
    new: LeadSketch,
    candidates: Iterable[LeadSketch],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
    window_hours: float = DEFAULT_WINDOW_HOURS,
) -> list[tuple[int, float]]:
    """Candidates scoring at least ``threshold``, best first, ties by id; never ``new`` itself."""
    scored = [
        (old.id, duplicate_score(new, old, window_hours=window_hours))
        for old in candidates
        if old.id != new.id
    ]
    kept = [pair for pair in scored if pair[1] >= threshold]
    kept.sort(key=lambda pair: (-pair[1], pair[0]))
    return kept[:limit]


def _context(new: LeadSketch, old: LeadSketch, window_hours: float) -> float:
    school = UNKNOWN
    if new.school_id is not None and old.school_id is not None:
        school = 1.0 if new.school_id == old.school_id else 0.0
    time = UNKNOWN
    if new.occurred_at is not None and old.occurred_at is not None:
        hours = abs((new.occurred_at - old.occurred_at).total_seconds()) / 3600
        time = max(0.0, 1.0 - hours / window_hours)
    place = UNKNOWN
    if school == 0.0:
        # Place is mostly named relative to the school (校门口, 食堂, 宿舍), so
        # the same words at two schools are two places.
        place = 0.0
    elif normalise(new.place) and normalise(old.place):
        place = text_similarity(new.place, old.place)
    return WEIGHT_SCHOOL * school + WEIGHT_TIME * time + WEIGHT_PLACE * place
