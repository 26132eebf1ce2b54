"""Model fields that keep sensitive values encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.db import models

from safecampus.core import crypto


class EncryptedTextField(models.TextField):
    """Stores ``crypto.encrypt`` tokens; Python code sees plaintext.

    The column is bound to ``<app_label>.<model>.<field>`` as associated data.
    Empty values stay empty so that "not given" is distinguishable without a key.
    """

    description = "Encrypted text"

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        self.crypto_context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(str(value), context=self.crypto_context)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if prepared:
            return value
        return self.get_prep_value(value)


class BlindIndexField(models.CharField):
    """HMAC of another field's value, kept in step on save, for exact-match lookups."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        raw = getattr(model_instance, self.source)
        context = _context(type(model_instance), self.source)
        value = crypto.blind_index(raw, context=context) if raw else ""
        setattr(model_instance, self.attname, value)
        return value

    @staticmethod
    def lookup_value(model: type[models.Model], source: str, value: str) -> str:
        return crypto.blind_index(value, context=_context(model, source))


def _context(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, EncryptedTextField):
        raise TypeError(f"{model._meta.label}.{name} is not an EncryptedTextField")
    return field.crypto_context
