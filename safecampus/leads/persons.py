"""The people named in a lead (涉事人员、受害人) — often pupils, often minors (issue #11, part 6).

``Lead.persons_involved`` and ``Lead.victims`` are encrypted at rest. Everywhere a lead
is listed, exported, notified or audited they appear only as a mask that says how
many names there are (a list of names) or that something is hidden (free text). The
full text is shown on the lead's page, and in the API's detail of one lead, to its
handlers only, and every such view writes one audit row (who, which lead, which
fields — never the names). Unlike the reporter's identity this needs no second
person: the handlers must know whom to protect.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from safecampus.audit.services import audit_record
from safecampus.cases.choices import TransferStatus
from safecampus.cases.errors import CasePermissionDenied
from safecampus.cases.models import Transfer
from safecampus.leads.models import Lead
from safecampus.organizations.choices import Role

#: The two fields this module guards, in the order the page shows them.
PERSON_FIELDS = ("persons_involved", "victims")
#: The roles that can be a lead's handler at all (which lead is ``may_see_persons``'s rule).
PERSON_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.SCHOOL_OFFICER, Role.PARTNER_LIAISON})

NAMES_HELP = gettext_lazy(
    "Names of the people in the lead. Masked (a count, or “hidden”) in lists and for readers "
    "who are not the lead's handlers; in full in one lead's detail for its handlers, each "
    "read recorded in the audit trail."
)

# A Chinese personal name is two to four Han characters (a few more with the middle dot
# of minority names); anything else in the field is free text and is hidden whole.
_SEPARATORS = re.compile(r"[\s,，、;；/|]+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_NAME = re.compile(f"[{_HAN}]{{2,4}}|[{_HAN}]{{1,8}}[·•][{_HAN}]{{1,8}}")


def persons_mask(text: str) -> str:
    """What a reader who is not a handler sees instead of ``text``.

    Empty stays empty. A list of names becomes their count ("共 2 人（姓名已隐藏）"): no
    surname or initial, since in one class a surname can be enough to find a child.
    Free text ("初二（3）班两名男生") is hidden whole.
    """
    text = text.strip()
    if not text:
        return ""
    parts = [part for part in _SEPARATORS.split(text) if part]
    if parts and all(_NAME.fullmatch(part) for part in parts):
        return ngettext(
            "%(count)d person, name hidden", "%(count)d people, names hidden", len(parts)
        ) % {"count": len(parts)}
    return _("(hidden)")


def persons_masked(lead: Lead) -> dict[str, str]:
    """Both fields of ``lead``, masked."""
    return {name: persons_mask(getattr(lead, name)) for name in PERSON_FIELDS}


def may_see_persons(user: Any, lead: Lead) -> bool:
    """Whether ``user`` is a handler of ``lead`` who may see the names in full.

    The handlers are: a bureau safety officer (the section triages and follows every
    lead); the designated officer (专人) of the school the lead is assigned to, while it
    is assigned there; a partner liaison of an agency the lead was transferred to, unless
    the agency returned it. Nobody else — not bureau leaders, staff or inspectors, not
    principals, teachers or guards, not a school that reported the lead but was not given
    it, not an agency after it handed the lead back. Fail closed.
    """
    scope = getattr(user, "scope", None)
    if not getattr(user, "is_authenticated", False) or scope is None:
        return False
    if scope.has_role(Role.BUREAU_SAFETY_OFFICER):
        return True
    if lead.assignee_unit_id and scope.has_role(Role.SCHOOL_OFFICER, unit_id=lead.assignee_unit_id):
        return True
    if not scope.agency_unit_ids:  # the units where the user is a partner liaison
        return False
    transfers = Transfer.objects.for_case(lead).filter(to_unit_id__in=scope.agency_unit_ids)
    return transfers.exclude(status=TransferStatus.RETURNED).exists()


def lead_persons_reveal(
    *, actor: Any, lead: Lead, request: HttpRequest | None = None
) -> dict[str, str]:
    """The names of ``lead`` in full, for one of its handlers (``may_see_persons``).

    Each call writes one audit row ``leads.lead.persons_viewed`` naming the fields shown
    (not their values); a refusal writes none and shows nothing.
    """
    if not may_see_persons(actor, lead):
        raise CasePermissionDenied(
            _("Only the lead's handlers may see the names of the people in it."),
            code="forbidden",
        )
    shown = {name: getattr(lead, name) for name in PERSON_FIELDS}
    audit_record(
        actor=actor,
        action="leads.lead.persons_viewed",
        obj=lead,
        changes={"fields": [name for name, value in shown.items() if value]},
        request=request,
    )
    return shown
