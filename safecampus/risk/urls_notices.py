"""Routes: notices (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.risk import views_notices as views

urlpatterns: list[URLPattern] = [
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<int:notice_id>/", views.NoticeDetailView.as_view(), name="notice"),
    path("notices/<int:notice_id>/edit/", views.NoticeUpdateView.as_view(), name="notice_update"),
    path("notices/<int:notice_id>/issue/", views.NoticeIssueView.as_view(), name="notice_issue"),
    path("notices/<int:notice_id>/notice.pdf", views.NoticePdfView.as_view(), name="notice_pdf"),
    path("notices/<int:notice_id>/notice.docx", views.NoticeDocxView.as_view(), name="notice_docx"),
    path("warnings/", views.WarningListView.as_view(), name="warning_list"),
    path("warnings/<int:warning_id>/", views.WarningDetailView.as_view(), name="school_warning"),
    path(
        "warnings/<int:warning_id>/action/",
        views.WarningActionView.as_view(),
        name="warning_action",
    ),
]
