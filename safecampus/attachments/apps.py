from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "safecampus.attachments"
    label = "attachments"
