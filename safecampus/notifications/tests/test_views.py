import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login
from safecampus.notifications.models import Notification
from safecampus.notifications.selectors import notification_list, unread_count
from safecampus.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def inbox(officer_a, officer_b):
    """Two unread and one read for officer A; one unread for officer B."""
    first = NotificationFactory(recipient=officer_a, title="整改通知一")
    second = NotificationFactory(recipient=officer_a, title="整改通知二", url="/cases/9/")
    NotificationFactory(recipient=officer_a, title="已读通知", read_at="2026-01-05T08:00:00+08:00")
    theirs = NotificationFactory(recipient=officer_b, title="河海中学的通知")
    return first, second, theirs


def test_anonymous_is_sent_to_sign_in(client):
    for name in ("notifications:list", "notifications:bell"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_list_shows_only_my_notifications(client, officer_a, inbox):
    login(client, officer_a)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == [
        "已读通知",
        "整改通知二",
        "整改通知一",
    ]
    assert response.context["unread_count"] == 2
    assert "河海中学的通知" not in response.content.decode()
    assert "<html" in response.content.decode()


def test_the_list_filters_unread_and_answers_htmx_with_the_fragment(client, officer_a, inbox):
    login(client, officer_a)
    response = client.get(reverse("notifications:list") + "?unread=1", **HTMX)
    body = response.content.decode()
    assert [n.title for n in response.context["notifications"]] == ["整改通知二", "整改通知一"]
    assert body.lstrip().startswith('<div id="notification-list"')
    assert "<html" not in body


def test_the_list_does_not_grow_queries_with_rows(client, officer_a, django_assert_num_queries):
    login(client, officer_a)
    NotificationFactory.create_batch(3, recipient=officer_a)
    url = reverse("notifications:list")
    client.get(url)  # warm the session's last-seen stamp
    # [session,] user, memberships, paginator count, unread count, page; with Redis configured
    # the session comes from the cache.
    expected = 5 if settings.SESSION_ENGINE.endswith("cached_db") else 6
    with django_assert_num_queries(expected):
        client.get(url, **HTMX)
    NotificationFactory.create_batch(20, recipient=officer_a)
    with django_assert_num_queries(expected):
        client.get(url, **HTMX)


def test_marking_someone_elses_notification_is_a_404_and_changes_nothing(client, officer_a, inbox):
    theirs = inbox[2]
    login(client, officer_a)
    for name in ("notifications:read", "notifications:open"):
        response = client.post(reverse(name, args=[theirs.pk]))
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert Notification.objects.filter(read_at__isnull=False).count() == 1


def test_mark_read_with_htmx_tells_the_page_to_refresh(client, officer_a, inbox):
    first = inbox[0]
    login(client, officer_a)
    response = client.post(reverse("notifications:read", args=[first.pk]), **HTMX)
    assert response.status_code == 204
    assert response["HX-Trigger"] == "notifications-changed"
    first.refresh_from_db()
    assert first.read_at is not None
    read_at = first.read_at
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302 and response.url == reverse("notifications:list")
    first.refresh_from_db()
    assert first.read_at == read_at


def test_mark_read_refuses_get(client, officer_a, inbox):
    login(client, officer_a)
    assert client.get(reverse("notifications:read", args=[inbox[0].pk])).status_code == 405
    assert unread_count(user=officer_a) == 2


def test_mark_all_read_touches_only_my_notifications(client, officer_a, officer_b, inbox):
    login(client, officer_a)
    response = client.post(reverse("notifications:read_all"), **HTMX)
    assert response.status_code == 204
    assert unread_count(user=officer_a) == 0
    assert unread_count(user=officer_b) == 1


def test_open_marks_read_and_follows_only_local_links(client, officer_a, inbox):
    second = inbox[1]
    evil = NotificationFactory(recipient=officer_a, url="https://evil.example/phish")
    login(client, officer_a)
    response = client.post(reverse("notifications:open", args=[second.pk]))
    assert (response.status_code, response.url) == (302, "/cases/9/")
    response = client.post(reverse("notifications:open", args=[evil.pk]))
    assert (response.status_code, response.url) == (302, reverse("notifications:list"))
    assert list(notification_list(user=officer_a, unread_only=True)) == [inbox[0]]


@pytest.mark.parametrize(("count", "badge"), [(0, None), (3, "3"), (120, "99+")])
def test_the_bell_shows_the_unread_count(client, officer_a, officer_b, count, badge):
    NotificationFactory.create_batch(count, recipient=officer_a)
    NotificationFactory(recipient=officer_a, read_at="2026-01-05T08:00:00+08:00")
    NotificationFactory.create_batch(2, recipient=officer_b)
    login(client, officer_a)
    response = client.get(reverse("notifications:bell"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["unread"] == count
    assert f'data-unread="{count}"' in body
    if badge is None:
        assert "badge" not in body
    else:
        assert f'rounded-pill text-bg-danger">{badge}</span>' in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_second_factor_role_must_verify_before_seeing_the_bell(client, safety_officer):
    client.force_login(safety_officer)
    response = client.get(reverse("notifications:bell"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor"))
    login(client, safety_officer)
    assert client.get(reverse("notifications:bell")).status_code == 200


def test_selectors_fail_closed_for_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    NotificationFactory()
    assert list(notification_list(user=AnonymousUser())) == []
    assert unread_count(user=AnonymousUser()) == 0
