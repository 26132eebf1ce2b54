"""The attachments app: checked uploads that any record may own."""

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "safecampus.attachments"
    label = "attachments"
