"""Writing demo data without announcing it to anyone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from safecampus.cases.services import deadline_sweep
from safecampus.notifications.services import outbox_suppressed

#: Kept on each outbox row the demo wrote, so that nobody wonders why it never left.
DEMO_OUTBOX_REASON = "Demo data: never sent."


@contextmanager
def demo_seeding() -> Iterator[None]:
    """Demo data written inside sends no e-mail and calls no webhook: what it notifies is
    kept in the outbox as suppressed (the recipients are made up). Deadlines it leaves
    already overdue are escalated on the way out, under the same rule — otherwise the first
    sweep after ``make run`` would send them all. Later escalations are real and are sent."""
    with outbox_suppressed(DEMO_OUTBOX_REASON):
        yield
        while deadline_sweep():  # a batch at a time; each deadline escalates once
            pass
