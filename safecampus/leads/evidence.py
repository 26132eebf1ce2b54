"""Transitional alias of ``safecampus.leads.selectors.evidence`` for ``risk/grading.py``,
whose import line moves to the selectors in the risk restructuring (issue #12). Delete this
file once no module imports ``safecampus.leads.evidence``."""

from safecampus.leads.selectors.evidence import lead_counts

__all__ = ["lead_counts"]
