import base64
import os

import pytest
from django.db import connection

from safecampus.accounts.models import User
from safecampus.core import crypto
from safecampus.core.crypto import DecryptionError
from safecampus.core.fields import BlindIndexField
from safecampus.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def raw_column(user, column: str = "phone") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def write_raw_phone(user, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [value, user.pk])


def test_the_phone_is_stored_as_a_token_never_as_plaintext():
    user = UserFactory(phone=PHONE)
    stored = raw_column(user)
    assert stored.startswith("enc1:")
    assert crypto.token_key_id(stored) == crypto.keyring().primary_id
    assert PHONE not in stored and PHONE[-8:] not in stored
    assert PHONE not in raw_column(user, "phone_hash")
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_two_saves_of_the_same_number_give_different_tokens():
    first, second = UserFactory(phone=PHONE), UserFactory(phone=PHONE)
    assert raw_column(first) != raw_column(second)
    assert raw_column(first, "phone_hash") == raw_column(second, "phone_hash")


def test_an_empty_phone_stays_empty():
    user = UserFactory(phone="")
    assert (raw_column(user), raw_column(user, "phone_hash")) == ("", "")


def test_the_blind_index_finds_the_number_however_it_is_typed():
    user = UserFactory(phone=PHONE)
    UserFactory(phone="13900139001")
    for typed in ("138 1234 5678", "138-1234-5678", "１３８１２３４５６７８"):
        lookup = BlindIndexField.lookup_value(User, "phone", typed)
        assert list(User.objects.filter(phone_hash=lookup)) == [user]


def test_a_token_does_not_open_in_another_column():
    stored = raw_column(UserFactory(phone=PHONE))
    context = User._meta.get_field("phone").crypto_context
    assert context == "accounts.user.phone"
    assert crypto.decrypt(stored, context=context) == PHONE
    for other in ("accounts.user.id_number", "cases.reporter.phone"):
        with pytest.raises(DecryptionError):
            crypto.decrypt(stored, context=other)


def test_an_altered_token_is_refused_when_the_row_is_read():
    user = UserFactory(phone=PHONE)
    stored = raw_column(user)
    prefix, body = stored.rsplit(":", 1)
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    for altered in (f"{prefix}:{flipped}", f"{prefix}:{body[:30]}", f"{prefix}:!!", "13812345678"):
        write_raw_phone(user, altered)
        with pytest.raises(DecryptionError):
            User.objects.get(pk=user.pk)


def test_a_token_under_an_unknown_key_is_refused(settings):
    user = UserFactory(phone=PHONE)
    settings.FIELD_ENCRYPTION_KEYS = [f"other:{base64.b64encode(os.urandom(32)).decode()}"]
    with pytest.raises(DecryptionError):
        User.objects.get(pk=user.pk)
