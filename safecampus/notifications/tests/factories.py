from __future__ import annotations

import factory

from safecampus.notifications.models import Notification, WebhookEndpoint
from safecampus.organizations.tests.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    verb = "cases.case.created"
    title = factory.Sequence(lambda n: f"通知{n}")
    url = "/cases/1/"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"OA {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "whsec-test-0123456789"
