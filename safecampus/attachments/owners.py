"""Which records may own attachments, and who may see them.

By default an owner's attachments are visible exactly when the owner is: the
owner model's default manager must offer ``visible_to(user)``. A model whose
visibility is decided elsewhere (a timeline event seen through its case)
registers its own rule with ``register_owner``. A model with neither owns no
visible attachments: downloads are a 404 and uploads are refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

VisibleRule = Callable[[Any], models.QuerySet[Any]]

_rules: dict[str, VisibleRule] = {}


def register_owner(model: type[models.Model], *, visible: VisibleRule) -> None:
    """Declare ``visible(user)``: the queryset of ``model`` rows whose attachments ``user`` sees."""
    _rules[model._meta.label_lower] = visible


def unregister_owner(model: type[models.Model]) -> None:
    _rules.pop(model._meta.label_lower, None)


def visibility_rule(model: type[models.Model]) -> VisibleRule | None:
    """The registered rule, else the default manager's ``visible_to``, else None."""
    rule = _rules.get(model._meta.label_lower)
    if rule is not None:
        return rule
    visible_to = getattr(model._default_manager, "visible_to", None)
    return visible_to if callable(visible_to) else None


def visible_owners(model: type[models.Model], user: Any) -> models.QuerySet[Any]:
    """Rows of ``model`` that ``user`` may see; none at all when the model has no rule."""
    rule = visibility_rule(model)
    if rule is None:
        return model._default_manager.none()
    return rule(user)
