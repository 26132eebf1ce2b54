import base64
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from safecampus.accounts.models import User
from safecampus.core import crypto
from safecampus.core.fields import BlindIndexField
from safecampus.core.management.commands.rotate_field_keys import encrypted_fields
from safecampus.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def raw_phones() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM accounts_user ORDER BY id")
        return dict(cursor.fetchall())


def rotate(*args: str) -> str:
    """The command's report, in English so that assertions read plainly."""
    out = StringIO()
    with translation.override("en"):
        call_command("rotate_field_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_finds_every_encrypted_column():
    labels = {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()}
    assert "accounts.User.phone" in labels


def test_rotation_moves_every_value_to_the_new_key(settings):
    old, new = new_key("old"), new_key("new")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    user = UserFactory(phone=PHONE)
    UserFactory(phone="")
    assert crypto.token_key_id(raw_phones()[user.pk]).startswith("old")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    before = raw_phones()
    assert "accounts.User.phone: 1 to re-seal, 0 already under key new" in rotate("--dry-run")
    assert raw_phones() == before

    assert "accounts.User.phone: 1 re-sealed, 0 already under key new, 0 unreadable." in rotate()
    after = raw_phones()
    assert crypto.token_key_id(after[user.pk]) == "new"
    assert PHONE not in after[user.pk]

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert User.objects.get(pk=user.pk).phone == PHONE
    lookup = BlindIndexField.lookup_value(User, "phone", "138 1234 5678")
    assert list(User.objects.filter(phone_hash=lookup)) == [user]

    assert "accounts.User.phone: 0 re-sealed, 1 already under key new, 0 unreadable." in rotate()
    assert raw_phones() == after


def test_rotation_works_through_several_batches(settings):
    old, new = new_key("old"), new_key("new")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    users = [UserFactory(phone=f"1390000000{i}") for i in range(5)]
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert "5 re-sealed" in rotate("--batch-size", "2")
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert [User.objects.get(pk=u.pk).phone for u in users] == [u.phone for u in users]
    assert {crypto.token_key_id(t) for t in raw_phones().values()} == {"new"}


def test_values_that_cannot_be_opened_are_reported_and_left_alone(settings):
    lost, old, new = new_key("lost"), new_key("old"), new_key("new")
    settings.FIELD_ENCRYPTION_KEYS = [lost]
    stranded = UserFactory(phone="13700000000")
    settings.FIELD_ENCRYPTION_KEYS = [old]
    rescued = UserFactory(phone=PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    before = raw_phones()
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="1 values could not be decrypted"),
    ):
        rotate()
    after = raw_phones()
    assert after[stranded.pk] == before[stranded.pk]
    assert crypto.token_key_id(after[rescued.pk]) == "new"


def test_the_keyring_follows_the_setting_without_clearing_a_cache(settings):
    settings.FIELD_ENCRYPTION_KEYS = [new_key("first")]
    assert crypto.keyring().primary_id == "first"
    settings.FIELD_ENCRYPTION_KEYS = [new_key("second")]
    assert crypto.keyring().primary_id == "second"
