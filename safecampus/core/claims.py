"""Claim a row with a conditional UPDATE, then act on it: the lock of every sweep and worker.

Contract (what callers may rely on, on SQLite and PostgreSQL alike):

- ``claim(rows, **changes)`` is true for exactly one caller however many run at once, provided
  ``rows`` selects at most one row (filter on the primary key) and its filter excludes the
  state that ``changes`` writes (e.g. ``escalated_at__isnull=True`` with ``escalated_at=now``).
  The database serialises the two UPDATEs: the second re-evaluates the filter against the
  committed row (PostgreSQL re-checks after the first commits; SQLite has one writer), finds
  no match and changes nothing. No ``select_for_update`` and no lock table are needed.
- ``claim_and_escalate`` runs the escalation in the claim's transaction: if it raises, the claim
  is rolled back with it and the row is due again on the next sweep. So an escalation
  happens exactly once when it succeeds, never twice, and is retried until it does.
- ``sweep`` does that for each due row in its own transaction, so one failing row neither
  blocks nor undoes the others.

A claim that must outlive a failure (the outbox: a message may have left before the worker
died) calls ``claim`` outside a transaction instead, and takes stale claims back itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

logger = logging.getLogger(__name__)


def claim(rows: QuerySet[Any], **changes: Any) -> bool:
    """Apply ``changes`` to the one row ``rows`` selects if it still matches; true if this
    caller won the row (see the module's contract)."""
    return rows.update(**changes) == 1


def claim_and_escalate(claim_row: Callable[[], bool], escalate: Callable[[], object]) -> bool:
    """Run ``claim_row`` (a ``claim`` of one row) and, if it won, ``escalate``, in one
    transaction; false if another caller had the row. An exception from ``escalate`` undoes
    the claim and propagates."""
    with transaction.atomic():
        if not claim_row():
            return False
        escalate()
    return True


def sweep(
    pks: Iterable[int],
    *,
    claim_row: Callable[[int], bool],
    escalate: Callable[[int], object],
    what: str,
) -> int:
    """``claim_and_escalate`` each of ``pks``, each in its own transaction, and say how many
    this caller escalated. A failure is logged and left for the next sweep."""
    escalated = 0
    for pk in pks:
        try:
            won = claim_and_escalate(partial(claim_row, pk), partial(escalate, pk))
        except Exception:
            logger.exception("Escalating %s %s failed; it is retried on the next sweep.", what, pk)
            continue
        escalated += won
    return escalated
