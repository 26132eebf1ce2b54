"""Download of an attachment (the owner's scope decides who may)."""

from django.urls import path

from safecampus.attachments.views import AttachmentDownloadView

app_name = "attachments"
urlpatterns = [
    path("<uuid:attachment_id>/download", AttachmentDownloadView.as_view(), name="download"),
]
