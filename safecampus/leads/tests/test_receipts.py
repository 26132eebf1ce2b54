"""Receipt codes: shape, normalisation, keyed digests, and the wrong-receipt throttle."""

from __future__ import annotations

import hashlib
import hmac
import re
import threading

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from safecampus.leads import receipts
from safecampus.leads.receipts import (
    ALPHABET,
    ENTROPY_BITS,
    Throttle,
    client_key,
    receipt_digest,
    receipt_matches,
    receipt_new,
    receipt_normalise,
)

CANONICAL = "0K3M-Q9XZ-01AB-RT5V"
SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
HOUR = 3600


# Receipts ---------------------------------------------------------------------------


def test_the_alphabet_is_crockford_base32_without_confusable_letters():
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert ENTROPY_BITS == 80


def test_a_new_receipt_is_four_groups_of_four():
    receipt = receipt_new()
    assert len(receipt) == 19
    assert SHAPE.match(receipt)
    assert receipt_normalise(receipt) == receipt


def test_a_new_receipt_draws_every_character_from_secrets(monkeypatch):
    drawn: list[str] = []

    def choice(alphabet: str) -> str:
        drawn.append(alphabet)
        return alphabet[-1]

    monkeypatch.setattr(receipts.secrets, "choice", choice)
    assert receipt_new() == "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    assert drawn == [ALPHABET] * 16


def test_ten_thousand_receipts_are_unique_and_use_the_whole_alphabet():
    made = [receipt_new() for _ in range(10_000)]
    assert len(set(made)) == 10_000
    assert set("".join(made)) == set(ALPHABET) | {"-"}


@pytest.mark.parametrize(
    "typed",
    [
        "0K3M-Q9XZ-01AB-RT5V",
        "0k3m-q9xz-01ab-rt5v",
        "0K3MQ9XZ01ABRT5V",
        "0K3M Q9XZ 01AB RT5V",
        " 0K3M\tQ9XZ\n01AB  RT5V ",
        "--0K3M--Q9XZ-01AB-RT5V-",
        "0K-3MQ9-XZ01-ABRT-5V",
        "OK3M-Q9XZ-OIAB-RT5V",
        "ok3m-q9xz-olab-rt5v",
        "0K3M–Q9XZ—01AB−RT5V",
        "０Ｋ３Ｍ－Ｑ９ＸＺ－０１ＡＢ－ＲＴ５Ｖ",
    ],
)
def test_what_a_reporter_types_normalises_to_the_canonical_receipt(typed):
    assert receipt_normalise(typed) == CANONICAL


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "----",
        "0K3M-Q9XZ-01AB",
        "0K3M-Q9XZ-01AB-RT5",
        "0K3M-Q9XZ-01AB-RT5V-W",
        "0K3M-Q9XZ-01AB-RT5U",
        "0K3M-Q9XZ-01AB-RT5!",
        "0K3M.Q9XZ.01AB.RT5V",
        "回执码0K3MQ9XZ01ABRT5V",
        "0K3M-Q9XZ-01AB-RT5V" + " " * 60,
        "A" * 10_000,
    ],
)
def test_a_receipt_of_the_wrong_shape_normalises_to_none(typed):
    assert receipt_normalise(typed) is None


def test_the_digest_is_the_hmac_of_the_canonical_form_under_the_receipt_key(settings):
    settings.RECEIPT_HASH_KEY = "receipt-test-key"
    expected = "5f26afe958f3b87f879cc9274212ec06e2c20c2caae552e3d26259d9d215edac"
    assert receipt_digest(CANONICAL) == expected
    assert receipt_digest("ok3m q9xz oiab rt5v") == expected
    assert receipt_digest(CANONICAL) == expected


def test_the_digest_depends_on_the_receipt_key(settings):
    settings.RECEIPT_HASH_KEY = "receipt-test-key"
    first = receipt_digest(CANONICAL)
    settings.RECEIPT_HASH_KEY = "another-receipt-key"
    assert receipt_digest(CANONICAL) != first


def test_without_a_receipt_key_the_key_is_derived_from_the_field_hash_key(settings):
    settings.RECEIPT_HASH_KEY = ""
    settings.FIELD_HASH_KEY = "field-hash-test-key"
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"safecampus.leads.receipt-hash.v1"
    ).derive(b"field-hash-test-key")
    digest = receipt_digest(CANONICAL)
    assert digest == hmac.new(derived, CANONICAL.encode(), hashlib.sha256).hexdigest()
    assert digest != hmac.new(b"field-hash-test-key", CANONICAL.encode(), "sha256").hexdigest()
    settings.FIELD_HASH_KEY = "another-field-hash-key"
    assert receipt_digest(CANONICAL) != digest


def test_a_malformed_receipt_has_no_digest():
    with pytest.raises(ValueError, match="Not a receipt code"):
        receipt_digest("0K3M-Q9XZ")


def test_a_receipt_matches_its_own_digest_only(settings):
    settings.RECEIPT_HASH_KEY = "receipt-test-key"
    digest = receipt_digest(CANONICAL)
    assert receipt_matches(CANONICAL, digest) is True
    assert receipt_matches("ok3m-q9xz-oiab-rt5v", digest) is True
    assert receipt_matches("0K3M-Q9XZ-01AB-RT5W", digest) is False
    assert receipt_matches("0K3M", digest) is False
    assert receipt_matches(CANONICAL, "not a digest") is False
    assert receipt_matches(CANONICAL, "摘要") is False


def test_a_malformed_receipt_never_matches_the_digest_of_the_placeholder(settings):
    settings.RECEIPT_HASH_KEY = "receipt-test-key"
    assert receipt_matches("", receipt_digest("0000-0000-0000-0000")) is False


# Throttle ---------------------------------------------------------------------------


def test_the_throttle_allows_the_limit_then_refuses_until_the_oldest_attempt_expires():
    throttle = Throttle(limit=3, window=60)
    assert [throttle.allow("k", now) for now in (1000, 1010, 1020)] == [True, True, True]
    assert throttle.retry_after("k", 1020) == 40
    assert throttle.allow("k", 1030) is False
    assert throttle.retry_after("k", 1030) == 30
    assert throttle.retry_after("k", 1059.5) == 1
    assert throttle.allow("k", 1059.5) is False
    assert throttle.allow("k", 1060) is True
    assert throttle.allow("k", 1061) is False
    assert throttle.retry_after("k", 1061) == 9


def test_refused_attempts_do_not_extend_the_wait():
    throttle = Throttle(limit=2, window=60)
    assert throttle.allow("k", 0) and throttle.allow("k", 1)
    assert not any(throttle.allow("k", now) for now in range(2, 60))
    assert throttle.retry_after("k", 59) == 1
    assert throttle.allow("k", 60) is True


def test_the_throttle_recovers_fully_after_a_quiet_window():
    throttle = Throttle(limit=3, window=60)
    for now in (0, 1, 2):
        throttle.allow("k", now)
    assert throttle.retry_after("k", 62) == 0
    assert [throttle.allow("k", now) for now in (62, 63, 64, 65)] == [True, True, True, False]


def test_keys_are_throttled_separately():
    throttle = Throttle(limit=1, window=60)
    assert throttle.allow("a", 0) is True
    assert throttle.allow("a", 1) is False
    assert throttle.allow("b", 1) is True
    assert throttle.retry_after("c", 1) == 0


def test_asking_about_an_unknown_key_stores_nothing():
    throttle = Throttle(limit=1, window=60)
    assert throttle.retry_after("never-seen", 0) == 0
    assert len(throttle) == 0


def test_the_least_recently_active_key_is_evicted_beyond_the_bound():
    throttle = Throttle(limit=1, window=60, max_keys=3)
    for now, key in enumerate("abc"):
        throttle.allow(key, now)
    assert throttle.allow("d", 3) is True
    assert len(throttle) == 3
    assert throttle.allow("a", 4) is True  # "a" was forgotten, so it starts afresh
    assert throttle.allow("c", 5) is False
    assert throttle.allow("b", 6) is True
    assert len(throttle) == 3


def test_memory_stays_bounded_under_many_keys():
    throttle = Throttle(limit=5, window=60, max_keys=100)
    for n in range(10_000):
        throttle.allow(f"key-{n}", n / 1000)
    assert len(throttle) == 100


def test_concurrent_attempts_never_exceed_the_limit():
    throttle = Throttle(limit=50, window=60)
    allowed: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        results = [throttle.allow("k", 10.0) for _ in range(100)]
        with lock:
            allowed.extend(results)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 50
    assert allowed.count(False) == 750


@pytest.mark.parametrize(
    ("limit", "window", "max_keys"), [(0, 60, 10), (1, 0, 10), (1, 60, 0), (1, -1, 10)]
)
def test_a_throttle_refuses_meaningless_bounds(limit, window, max_keys):
    with pytest.raises(ValueError, match="Throttle needs"):
        Throttle(limit=limit, window=window, max_keys=max_keys)


# Client keys ------------------------------------------------------------------------


def test_a_client_key_is_an_hmac_under_a_fresh_random_key(monkeypatch):
    monkeypatch.setattr(receipts.secrets, "token_bytes", lambda n: b"\x01" * n)
    key = client_key("203.0.113.7", now=1000 * HOUR + 5)
    assert key == hmac.new(b"\x01" * 32, b"203.0.113.7", hashlib.sha256).hexdigest()


@pytest.mark.parametrize("address", ["203.0.113.7", "2001:db8::1"])
def test_a_client_key_never_contains_the_address(address):
    key = client_key(address, now=2000 * HOUR)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert address not in key
    assert address.replace(".", "").replace(":", "") not in key


def test_a_client_key_is_stable_within_the_hour_and_changes_when_it_rolls():
    first = client_key("203.0.113.7", now=3000 * HOUR)
    assert client_key("203.0.113.7", now=3000 * HOUR + 3599) == first
    assert client_key("198.51.100.2", now=3000 * HOUR + 10) != first
    next_hour = client_key("203.0.113.7", now=3001 * HOUR)
    assert next_hour != first
    assert client_key("203.0.113.7", now=3001 * HOUR + 1800) == next_hour


def test_an_old_hours_key_is_never_restored():
    first = client_key("203.0.113.7", now=4000 * HOUR)
    client_key("203.0.113.7", now=4001 * HOUR)
    assert client_key("203.0.113.7", now=4000 * HOUR) != first
