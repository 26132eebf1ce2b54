"""A case type's workflow as data: statuses, the allowed moves and who may make them.

Each case model declares one, e.g.::

    workflow = Workflow(
        statuses=ComplaintStatus,
        initial=ComplaintStatus.NEW,
        transitions={
            ComplaintStatus.NEW: {
                ComplaintStatus.ACCEPTED: Transition(roles={Role.SCHOOL_OFFICER}),
                ComplaintStatus.REJECTED: Transition(roles={Role.PRINCIPAL}, requires_note=True),
            },
        },
        terminal={ComplaintStatus.REJECTED},
        assign_roles={Role.BUREAU_SAFETY_OFFICER},
        transfer_roles={Role.BUREAU_SAFETY_OFFICER},
    )

A move that is not in ``transitions`` is illegal; a table that names an unknown
status, or lets a terminal status move on, stops start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise


def _frozen(values: Iterable[str]) -> frozenset[str]:
    return frozenset(str(v) for v in values)


@dataclass(frozen=True)
class Transition:
    """One allowed move: the roles that may make it and what it requires or fulfils.

    ``system`` lets the kernel or a task make the move without a person (actor
    ``None``); ``meets`` names the deadline purposes this move fulfils.
    """

    roles: Iterable[str] = frozenset()
    requires_note: bool = False
    system: bool = False
    meets: Iterable[str] = frozenset()
    label: str | Promise = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", _frozen(self.roles))
        object.__setattr__(self, "meets", _frozen(self.meets))


@dataclass(frozen=True)
class Workflow:
    """A case type's statuses and allowed transitions ``{from: {to: Transition}}``."""

    statuses: type[models.TextChoices]
    initial: str
    transitions: Mapping[str, Mapping[str, Transition]]
    terminal: Iterable[str] = frozenset()
    assign_roles: Iterable[str] = frozenset()
    transfer_roles: Iterable[str] = frozenset()
    #: Deadline purpose → dotted path of ``f(*, deadline, case, now) -> recipients`` that tells
    #: people of an escalated deadline of that purpose instead of the kernel's notice to the
    #: escalation unit (a path, not the function: models cannot import their app's services).
    escalations: Mapping[str, str] = field(default_factory=dict)
    _labels: Mapping[str, str | Promise] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {
            str(src): MappingProxyType({str(dst): step for dst, step in moves.items()})
            for src, moves in self.transitions.items()
        }
        object.__setattr__(self, "initial", str(self.initial))
        object.__setattr__(self, "transitions", MappingProxyType(table))
        object.__setattr__(self, "terminal", _frozen(self.terminal))
        object.__setattr__(self, "assign_roles", _frozen(self.assign_roles))
        object.__setattr__(self, "transfer_roles", _frozen(self.transfer_roles))
        object.__setattr__(self, "escalations", MappingProxyType(dict(self.escalations)))
        object.__setattr__(self, "_labels", dict(self.statuses.choices))
        self._validate()

    def _validate(self) -> None:
        known = set(self._labels)
        named = {self.initial, *self.terminal, *self.transitions}
        named |= {dst for moves in self.transitions.values() for dst in moves}
        if unknown := named - known:
            raise ImproperlyConfigured(f"Workflow names unknown statuses: {sorted(unknown)}")
        if moving := {s for s in self.terminal if self.transitions.get(s)}:
            raise ImproperlyConfigured(f"Terminal statuses must not move on: {sorted(moving)}")
        if self.initial in self.terminal:
            raise ImproperlyConfigured("The initial status cannot be terminal.")

    def get(self, from_status: str, to_status: str) -> Transition | None:
        """The transition from ``from_status`` to ``to_status``, or ``None`` when illegal."""
        return self.transitions.get(from_status, {}).get(to_status)

    def targets(self, from_status: str) -> Mapping[str, Transition]:
        return self.transitions.get(from_status, MappingProxyType({}))

    def is_terminal(self, status: str) -> bool:
        return status in self.terminal  # type: ignore[operator]

    def label(self, status: str) -> str:
        """The translated label of ``status`` (the raw value for a status no longer declared)."""
        return str(self._labels.get(status, status)) if status else ""
