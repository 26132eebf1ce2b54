"""FastSelect writes the same options, selection and escaping as Django's Select."""

from __future__ import annotations

import re

from django import forms
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from safecampus.core.forms import FastSelect

CHOICES = [
    ("", "All"),
    ('x<&"', "X & <b>alert</b>"),
    ("y", "Y"),
    ("z", "Z"),
    ("w", lazy(str, str)("School & <class>")),  # a lazy label is escaped as a string is
    (7, "an integer value"),
]


class Pair(forms.Form):
    fast = forms.ChoiceField(choices=CHOICES, widget=FastSelect, required=False)
    slow = forms.ChoiceField(choices=CHOICES, required=False)


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


def test_fast_and_django_select_agree_on_every_option():
    for value in ("", 'x<&"', "z", "w", "7", "missing"):
        form = Pair({"fast": value, "slow": value})
        fast, slow = _options(str(form["fast"])), _options(str(form["slow"]))
        assert fast == slow
        assert "<b>" not in str(form["fast"])
    assert 'name="fast"' in str(Pair()["fast"]) and 'id="id_fast"' in str(Pair()["fast"])


def test_cached_options_still_mark_each_request_own_selection(db):
    first, second = Pair({"fast": "y"}), Pair({"fast": "z"})
    for form in (first, second):
        form.fields["fast"].widget.options_cache_key = "test:fast-select"
    chosen_y, chosen_z = str(first["fast"]), str(second["fast"])
    assert '<option value="y" selected>' in chosen_y and 'value="z" selected' not in chosen_y
    assert '<option value="z" selected>' in chosen_z and 'value="y" selected' not in chosen_z
    assert _options(chosen_z) == _options(str(Pair({"slow": "z"})["slow"]))


def test_options_escaped_in_one_pass_fall_back_text_by_text_when_they_must() -> None:
    """The texts are escaped joined by NUL: a text holding one, or a safe string, takes the
    slow path, and every path writes what Django's Select writes."""
    for odd in ("a\x00<b>", mark_safe("<i>safe</i>")):
        choices = [*CHOICES, ("odd", odd)]

        class Odd(forms.Form):
            fast = forms.ChoiceField(choices=choices, widget=FastSelect, required=False)
            slow = forms.ChoiceField(choices=choices, required=False)

        form = Odd({"fast": "odd", "slow": "odd"})
        fast, slow = (re.sub(r"\s*\n\s*", "", str(form[name])) for name in ("fast", "slow"))
        assert fast[fast.index("<option") :] == slow[slow.index("<option") :]
