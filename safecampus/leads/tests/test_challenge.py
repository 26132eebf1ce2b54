"""The portal's proof-of-work challenge near the submission limits, and receipt answers that
take the same time whether the receipt is right or wrong."""

from __future__ import annotations

import logging
import re
import statistics
import time
from dataclasses import replace

import pytest
from django.core.cache import cache

from safecampus.leads.challenge import (
    Challenge,
    ChallengeError,
    challenge_issue,
    challenge_solve,
    challenge_verify,
    leading_zero_bits,
    solution_digest,
)
from safecampus.leads.models import Lead, LeadMessage
from safecampus.leads.receipts import client_key
from safecampus.leads.services import portal

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
AGENT = "UA-CHALLENGE-TEST"
CLIENT = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
REPORT = {"category": "bullying_violence", "description": "校门口有人拦住学生要钱"}
API = "/api/v1/public/leads/"
BITS = 8  # fast under test; the default difficulty is measured in the browser test


def use_rules(settings, **values: int) -> None:
    """Change rules for one test (pytest-django's ``settings`` restores them afterwards)."""
    current = settings.SAFECAMPUS_RULES
    settings.SAFECAMPUS_RULES = {
        **current,
        **{name: replace(current[name], value=value) for name, value in values.items()},
    }


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    use_rules(settings, portal_challenge_bits=BITS)
    cache.clear()
    yield
    cache.clear()


def _near_the_limit(address: str = ADDRESS) -> None:
    """Use half of the client's hourly quota, as ten pupils of one school might."""
    key, now = client_key(address), time.monotonic()
    for _ in range(portal.SUBMIT_THROTTLE.limit // 2):
        assert portal.SUBMIT_THROTTLE.allow(key, now)


def _solved(challenge: dict | Challenge) -> dict[str, str]:
    if isinstance(challenge, Challenge):
        challenge = challenge.as_dict()
    return {
        "challenge": str(challenge["token"]),
        "nonce": challenge_solve(str(challenge["seed"]), int(challenge["difficulty"])),
    }


def _post(client, data, **extra):
    return client.post(API, data, content_type="application/json", **CLIENT, **extra)


# The challenge itself -----------------------------------------------------------------


def test_a_solved_challenge_is_accepted_once():
    challenge = challenge_issue()
    assert challenge.difficulty == BITS and len(challenge.seed) == 32
    assert challenge.expires - time.time() == pytest.approx(3600, abs=2)
    solution = _solved(challenge)
    assert leading_zero_bits(solution_digest(challenge.seed, solution["nonce"])) >= BITS
    challenge_verify(solution["challenge"], solution["nonce"])
    with pytest.raises(ChallengeError) as reused:
        challenge_verify(solution["challenge"], solution["nonce"])
    assert (reused.value.code, reused.value.status_code) == ("challenge_reused", 400)


def test_leading_zero_bits():
    assert leading_zero_bits(bytes(32)) == 256
    assert leading_zero_bits(b"\x80" + bytes(31)) == 0
    assert leading_zero_bits(b"\x00\x00\x01" + bytes(29)) == 23
    assert leading_zero_bits(b"\x00\x0f" + b"\xff" * 30) == 12


def _unsolved_nonce(seed: str, bits: int) -> str:
    nonce = 0
    while leading_zero_bits(solution_digest(seed, str(nonce))) >= bits:
        nonce += 1
    return str(nonce)


def _refusal(token: str, nonce: str) -> tuple[str, int]:
    with pytest.raises(ChallengeError) as refused:
        challenge_verify(token, nonce)
    return refused.value.code, refused.value.status_code


def test_missing_forged_wrong_and_expired_solutions_are_refused():
    challenge = challenge_issue()
    nonce = challenge_solve(challenge.seed, challenge.difficulty)
    assert _refusal("", nonce) == ("challenge_required", 428)
    assert _refusal(challenge.token, "") == ("challenge_required", 428)
    easier = challenge.token.replace(f".{BITS}.", ".0.", 1)
    assert _refusal(easier, _unsolved_nonce(challenge.seed, BITS)) == ("challenge_invalid", 400)
    longer = challenge.token.replace(f".{challenge.expires}.", f".{challenge.expires + 9}.", 1)
    assert _refusal(longer, nonce) == ("challenge_invalid", 400)
    flipped = "1" if challenge.token.endswith("0") else "0"  # (a real change of the MAC)
    assert _refusal(challenge.token[:-1] + flipped, nonce)[0] == "challenge_invalid"
    assert _refusal(challenge.token, _unsolved_nonce(challenge.seed, BITS))[0] == (
        "challenge_invalid"
    )
    assert _refusal(challenge.token, nonce + "0" * 40)[0] == "challenge_invalid"
    assert _refusal("x" * 10_000, nonce)[0] == "challenge_invalid"
    expired = Challenge(seed=challenge.seed, difficulty=BITS, expires=int(time.time()) - 1)
    assert _refusal(expired.token, nonce) == ("challenge_expired", 428)
    # None of the refusals spent the seed.
    challenge_verify(challenge.token, nonce)


# When a challenge is needed -------------------------------------------------------------


def test_a_challenge_is_needed_from_half_of_either_limit(monkeypatch):
    key, other, now = client_key(ADDRESS), client_key("192.0.2.50"), time.monotonic()
    monkeypatch.setattr(portal.SUBMIT_THROTTLE, "limit", 4)
    monkeypatch.setattr(portal.GLOBAL_SUBMIT_THROTTLE, "limit", 8)
    assert not portal.challenge_needed(key, now)
    assert portal.submission_check(key, token="", nonce="", now=now) == 0
    assert not portal.challenge_needed(key, now)
    assert portal.submission_check(key, token="", nonce="", now=now) == 0
    assert portal.challenge_needed(key, now)  # 2 of 4
    assert not portal.challenge_needed(other, now)
    with pytest.raises(ChallengeError):
        portal.submission_check(key, token="", nonce="", now=now)
    third = client_key("192.0.2.51")
    for _ in range(2):
        assert portal.submission_check(other, token="", nonce="", now=now) == 0
    assert portal.challenge_needed(third, now)  # 4 of 8 for everybody
    assert not portal.challenge_needed(third, now + 61)  # the global minute has passed
    assert portal.challenge_needed(key, now + 61)  # the client's hour has not


def test_a_solution_does_not_lift_the_limit_itself(monkeypatch):
    key, now = client_key(ADDRESS), time.monotonic()
    monkeypatch.setattr(portal.SUBMIT_THROTTLE, "limit", 2)
    for _ in range(2):
        solution = _solved(challenge_issue())
        assert (
            portal.submission_check(
                key, token=solution["challenge"], nonce=solution["nonce"], now=now
            )
            == 0
        )
    solution = _solved(challenge_issue())
    wait = portal.submission_check(
        key, token=solution["challenge"], nonce=solution["nonce"], now=now
    )
    assert 3590 <= wait <= 3601  # (whole seconds, rounded up)


# The public API -----------------------------------------------------------------------


def test_api_answers_428_with_a_challenge_and_accepts_the_solution(client, district):
    client.cookies["django_language"] = "en"
    assert _post(client, REPORT).status_code == 201  # far from the limit: no challenge
    _near_the_limit()
    before = Lead.objects.count()

    asked = _post(client, REPORT)
    assert asked.status_code == 428
    body = asked.json()
    assert body["code"] == "challenge_required"
    assert "short check" in body["detail"]
    assert set(body["challenge"]) == {"token", "seed", "difficulty", "expires", "algorithm"}
    assert body["challenge"]["difficulty"] == BITS
    assert Lead.objects.count() == before

    solution = _solved(body["challenge"])
    created = _post(client, REPORT | solution)
    assert created.status_code == 201, created.content
    assert Lead.objects.count() == before + 1

    reused = _post(client, REPORT | solution)
    assert reused.status_code == 400 and reused.json()["code"] == "challenge_reused"
    assert "already used" in reused.json()["detail"]
    assert reused.json()["challenge"]["seed"] != body["challenge"]["seed"]
    forged = _post(client, REPORT | solution | {"challenge": solution["challenge"] + "0"})
    assert forged.status_code == 400 and forged.json()["code"] == "challenge_invalid"
    stale = Challenge(seed="0" * 32, difficulty=BITS, expires=int(time.time()) - 5)
    expired = _post(client, REPORT | _solved(stale))
    assert expired.status_code == 428 and expired.json()["code"] == "challenge_expired"
    assert Lead.objects.count() == before + 1


def test_api_takes_the_solution_in_multipart_too(client, district):
    client.cookies["django_language"] = "en"
    _near_the_limit()
    challenge = client.post(API, REPORT, **CLIENT).json()["challenge"]
    created = client.post(API, REPORT | _solved(challenge), **CLIENT)
    assert created.status_code == 201, created.content
    # A body that is not a JSON object is refused before anything else (the API's parser).
    not_an_object = _post(client, ["not", "an", "object"])
    assert not_an_object.status_code == 400 and "JSON object" in not_an_object.json()["detail"]


# The report page ------------------------------------------------------------------------


def test_page_carries_a_challenge_only_near_the_limit(client):
    calm = client.get("/report/", **CLIENT).content.decode()
    assert "data-pow-seed" not in calm and "portal-challenge.js" not in calm
    _near_the_limit()
    busy = client.get("/report/?lang=en", **CLIENT).content.decode()
    assert re.search(r'data-pow-seed="[0-9a-f]{32}" data-pow-bits="8"', busy)
    assert re.search(r'<input type="hidden" name="challenge" value="[0-9a-f]{32}\.8\.\d+\.', busy)
    assert '<script src="/static/js/portal-challenge.js"></script>' in busy
    assert "<noscript>" in busy and "try again in an hour" in busy
    assert "style=" not in busy


def _page_challenge(html: str) -> dict[str, str]:
    token = re.search(r'name="challenge" value="([^"]+)"', html)
    assert token, html[:500]
    seed, difficulty, expires, _mac = token.group(1).split(".")
    return {"token": token.group(1), "seed": seed, "difficulty": difficulty, "expires": expires}


def test_page_without_a_solution_keeps_what_was_typed_and_asks_again(client, district):
    _near_the_limit()
    typed = REPORT | {"place": "东门小卖部旁边", "contact": "13900001111"}
    refused = client.post("/report/?lang=en", typed, **CLIENT)
    assert refused.status_code == 428
    html = refused.content.decode()
    assert "must pass a short check" in html
    assert REPORT["description"] in html and "东门小卖部旁边" in html and "13900001111" in html
    assert Lead.objects.count() == 0

    done = client.post("/report/", typed | _solved(_page_challenge(html)), **CLIENT)
    assert done.status_code == 200 and "sc-receipt" in done.content.decode()
    assert Lead.objects.get().place == "东门小卖部旁边"


def test_page_with_files_asks_to_choose_them_again(client, district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _near_the_limit()
    photo = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    refused = client.post("/report/?lang=en", REPORT | {"evidence": [photo]}, **CLIENT)
    assert refused.status_code == 428
    assert "choose your files again" in refused.content.decode()


def _cache_keys() -> list[str]:
    """Every key in the cache: the process-local one of development, or Redis under CI."""
    store = cache._cache  # type: ignore[attr-defined]
    if hasattr(store, "get_client"):
        return [key.decode() for key in store.get_client().keys("*")]
    return [str(key) for key in store]


def test_the_challenge_flow_logs_and_stores_no_address(client, district):
    records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Capture(level=logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("", "django", "django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        _near_the_limit()
        html = client.get("/report/", **CLIENT).content.decode()
        challenge = _page_challenge(html)
        assert client.post("/report/", REPORT, **CLIENT).status_code == 428
        solution = _solved(challenge)
        assert client.post("/report/", REPORT | solution, **CLIENT).status_code == 200
        assert client.post("/report/", REPORT | solution, **CLIENT).status_code == 400
        assert _post(client, REPORT).status_code == 428
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    assert records, "nothing was captured: the capture itself is broken"
    for record in records:
        text = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert ADDRESS not in text and AGENT not in text
    spent = cache.get(f"portal-challenge-spent:{challenge['seed']}")
    assert spent == 1
    assert all(ADDRESS not in key and AGENT not in key for key in _cache_keys())
    lead = Lead.objects.get()
    row = " ".join(str(getattr(lead, f.attname)) for f in Lead._meta.concrete_fields)
    assert ADDRESS not in row and AGENT not in row


# Receipt answers take the same time --------------------------------------------------------


def _timed_pairs(first, second, tries: int = 6) -> tuple[float, float]:
    """Median durations of ``first`` and ``second``, called in turn so that a loaded machine
    slows both alike (run one after the other, a burst of load lands on one side only)."""
    durations: tuple[list[float], list[float]] = ([], [])
    for _ in range(tries):
        for call, spent in ((first, durations[0]), (second, durations[1])):
            started = time.perf_counter()
            call()
            spent.append(time.perf_counter() - started)
    return statistics.median(durations[0]), statistics.median(durations[1])


@pytest.mark.parametrize("path", ["api-status", "api-message", "page-status"])
def test_right_and_wrong_receipts_answer_after_the_same_time(client, district, path, settings):
    floor_ms = 120
    use_rules(settings, portal_receipt_answer_ms=floor_ms, portal_challenge_percent=100)
    receipt = _post(client, REPORT).json()["receipt"]
    for n in range(3):  # a lived-in lead: the right receipt's answer has rows to read
        portal.lead_public_message(receipt=receipt, body=f"补充 {n}")
    wrong = "ABCD-EFGH-JKMN-PQRS"
    calls = {
        "api-status": lambda r: client.post(
            "/api/v1/public/leads/status/", {"receipt": r}, content_type="application/json"
        ),
        "api-message": lambda r: client.post(
            "/api/v1/public/leads/messages/",
            {"receipt": r, "message": "还在吗"},
            content_type="application/json",
        ),
        "page-status": lambda r: client.post("/report/status/", {"receipt": r}),
    }
    call = calls[path]
    assert call(receipt).status_code in (200, 201) and call(wrong).status_code == 404
    right_s, wrong_s = _timed_pairs(lambda: call(receipt), lambda: call(wrong))
    portal.RECEIPT_THROTTLE._hits.clear()
    # Both wait for the floor, and the floor hides the difference.
    assert right_s >= floor_ms / 1000 and wrong_s >= floor_ms / 1000
    assert abs(right_s - wrong_s) < 0.015, (right_s, wrong_s)
    assert LeadMessage.objects.count() == 3 + (7 if path == "api-message" else 0)
