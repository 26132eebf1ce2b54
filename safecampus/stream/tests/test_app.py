import os

import pytest
from django.utils import timezone

from safecampus.notifications.services import notify
from safecampus.stream.app import StreamApp
from safecampus.stream.broker import DatabaseBroker, RedisBroker, user_channel
from safecampus.stream.tests.conftest import END, StreamCall, session_cookie

pytestmark = pytest.mark.usefixtures("live_db")
PAGE_ORIGIN = "http://127.0.0.1:8000"
RETRY = b"retry: 5000\n\n"


@pytest.fixture
def app():
    return StreamApp(broker=DatabaseBroker())


def test_health_is_200(app):
    status, _, body = StreamCall(app, path="/stream/healthz").response()
    assert (status, body) == (200, {"status": "ok"})


def test_unknown_paths_and_methods(app):
    assert StreamCall(app, path="/admin/").response()[0] == 404
    assert StreamCall(app, method="POST").response()[0] == 405


def test_no_session_is_401(app):
    status, headers, body = StreamCall(app).response()
    assert status == 401
    assert headers[b"content-type"] == b"application/json"
    assert set(body) == {"detail"}


def _store(cookie):
    from importlib import import_module

    from django.conf import settings as django_settings

    key = cookie.split("=", 1)[1]
    return import_module(django_settings.SESSION_ENGINE).SessionStore(key)


def test_an_unknown_or_idle_session_is_401(app, officer_a):
    assert StreamCall(app, headers=[("cookie", "sessionid=nosuchsession")]).response()[0] == 401
    cookie = session_cookie(officer_a)
    store = _store(cookie)  # through the session engine, as the web process writes it
    store["last_seen"] = timezone.now().timestamp() - 3 * 3600
    store.save()
    assert StreamCall(app, headers=[("cookie", cookie)]).response()[0] == 401


def test_a_second_factor_role_without_verification_is_403(app, safety_officer):
    cookie = session_cookie(safety_officer, verified=False)
    assert StreamCall(app, headers=[("cookie", cookie)]).response()[0] == 403


def test_cors_answers_only_allowed_origins(app, safety_officer):
    cookie = session_cookie(safety_officer)
    call = StreamCall(app, headers=[("cookie", cookie), ("origin", PAGE_ORIGIN)])
    start = call.start()
    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-type"] == b"text/event-stream; charset=utf-8"
    assert headers[b"access-control-allow-origin"] == PAGE_ORIGIN.encode()
    assert headers[b"access-control-allow-credentials"] == b"true"
    assert call.next_body() == RETRY
    assert call.disconnect()

    call = StreamCall(app, headers=[("cookie", cookie), ("origin", "http://evil.example")])
    headers = dict(call.start()["headers"])
    assert b"access-control-allow-origin" not in headers
    assert call.disconnect()


def test_a_new_notification_reaches_its_recipient_only(app, officer_a, officer_b):
    call = StreamCall(app, headers=[("cookie", session_cookie(officer_a))])
    assert call.start()["status"] == 200
    assert call.next_body() == RETRY
    notify(recipients=[officer_b], verb="cases.case.created", title="给B的", url="/cases/2/")
    notify(recipients=[officer_a], verb="cases.case.created", title="新线索", url="/cases/7/")
    assert (
        call.next_body()
        == (
            'event: notification\ndata: {"unread":1,"title":"新线索","url":"/cases/7/"}\n\n'
        ).encode()
    )
    assert call.disconnect()
    assert call.next_body() == b""  # the closing empty body
    assert call.next_body() is END


def test_the_heartbeat_rechecks_the_session_and_sign_out_ends_the_stream(app, officer_a, settings):
    settings.STREAM_HEARTBEAT_SECONDS = 0.2
    cookie = session_cookie(officer_a)
    call = StreamCall(app, headers=[("cookie", cookie)])
    assert call.start()["status"] == 200
    assert call.next_body() == RETRY
    assert call.next_body() == b": ping\n\n"
    _store(cookie).delete()  # what signing out does
    assert call.next_body() == b""
    assert call.next_body() is END


def test_subscribing_to_a_channel_without_source_is_refused():
    with pytest.raises(ValueError, match="No event source"):
        DatabaseBroker().subscribe(["safecampus:nowhere:1"])


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and not _redis_up(),
    reason="Redis is not running on 127.0.0.1:6379",
)
def test_with_redis_the_event_is_pushed_after_commit(officer_a, settings):
    settings.REDIS_URL = REDIS_URL
    app = StreamApp(broker=RedisBroker(REDIS_URL))
    call = StreamCall(app, headers=[("cookie", session_cookie(officer_a))])
    assert call.start()["status"] == 200  # sent only once the subscription is live
    assert call.next_body() == RETRY
    RedisBroker(REDIS_URL).publish(user_channel(officer_a.pk + 1000), "notification", {"x": 1})
    notify(recipients=[officer_a], verb="cases.case.created", title="新线索", url="/cases/7/")
    assert (
        call.next_body()
        == (
            'event: notification\ndata: {"unread":1,"title":"新线索","url":"/cases/7/"}\n\n'
        ).encode()
    )
    assert call.disconnect()
