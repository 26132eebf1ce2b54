"""The people named in a lead (涉事人员、受害人) — often pupils, often minors (issue #11, part 6).

``Lead.persons_involved`` and ``Lead.victims`` are encrypted at rest. Everywhere a lead
is listed, exported, notified or audited they appear only as a mask that says how
many names there are (a list of names) or that something is hidden (free text). The
full text is shown on the lead's page, and in the API's detail of one lead, to its
handlers only, and every such view writes one audit row (who, which lead, which
fields — never the names). Unlike the reporter's identity this needs no second
person: the handlers must know whom to protect.

This module holds the masks (no database); who the handlers are is
``permissions.may_see_persons``, and the audited view is ``services.persons``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from safecampus.leads.models import Lead

#: The two fields this module guards, in the order the page shows them.
PERSON_FIELDS = ("persons_involved", "victims")

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
