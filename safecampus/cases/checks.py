"""Start-up checks: every case type declares a workflow and a scope."""

from __future__ import annotations

from typing import Any

from django.core import checks

from safecampus.cases.workflow import Workflow


@checks.register()
def check_case_types(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from safecampus.cases.selectors import case_models

    errors: list[checks.CheckMessage] = []
    for model in case_models():
        if not isinstance(getattr(model, "workflow", None), Workflow):
            errors.append(
                checks.Error(f"{model.__name__} declares no Workflow.", obj=model, id="cases.E001")
            )
        if not hasattr(model._default_manager.all(), "visible_to"):
            errors.append(
                checks.Error(
                    f"{model.__name__}'s manager has no visible_to(user).",
                    obj=model,
                    id="cases.E002",
                )
            )
    return errors
