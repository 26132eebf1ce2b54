"""Pages of the risk early-warning app: the monthly grades, the register with its level bands,
seasonal calendar and school profiles, and the warning notices.

One list per part, joined in this order; the names are the app's (``risk:grade_list`` …).
"""

from django.urls import URLPattern, path

from safecampus.risk.views import grades, notices, register

grade_patterns: list[URLPattern] = [
    path("", grades.GradeListView.as_view(), name="grade_list"),
    path("grades/compute/", grades.GradeComputeView.as_view(), name="grade_compute"),
    path("schools/<int:school_id>/", grades.SchoolGradeView.as_view(), name="school_grade"),
    path(
        "schools/<int:school_id>/<str:month>/adjust/",
        grades.GradeAdjustView.as_view(),
        name="grade_adjust",
    ),
    path(
        "schools/<int:school_id>/<str:month>/adjust/clear/",
        grades.GradeAdjustClearView.as_view(),
        name="grade_adjust_clear",
    ),
]

register_patterns: list[URLPattern] = [
    path("register/", register.RegisterListView.as_view(), name="register_list"),
    path("register/new/", register.RegisterCreateView.as_view(), name="register_create"),
    path("register/<int:item_id>/", register.RegisterItemView.as_view(), name="register_item"),
    path("register/<int:item_id>/edit/", register.RegisterEditView.as_view(), name="register_edit"),
    path(
        "register/<int:item_id>/review/",
        register.RegisterReviewView.as_view(),
        name="register_review",
    ),
    path(
        "register/<int:item_id>/retire/",
        register.RegisterRetireView.as_view(),
        name="register_retire",
    ),
    path("levels/", register.LevelBandsView.as_view(), name="level_bands"),
    path("calendar/", register.CalendarView.as_view(), name="calendar"),
    path("calendar/new/", register.CalendarCreateView.as_view(), name="calendar_create"),
    path("calendar/<int:risk_id>/edit/", register.CalendarEditView.as_view(), name="calendar_edit"),
    path(
        "calendar/<int:risk_id>/active/",
        register.CalendarActiveView.as_view(),
        name="calendar_active",
    ),
    path(
        "schools/<int:school_id>/profile/",
        register.SchoolProfileView.as_view(),
        name="school_profile",
    ),
]

notice_patterns: list[URLPattern] = [
    path("notices/", notices.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", notices.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<int:notice_id>/", notices.NoticeDetailView.as_view(), name="notice"),
    path("notices/<int:notice_id>/edit/", notices.NoticeUpdateView.as_view(), name="notice_update"),
    path("notices/<int:notice_id>/issue/", notices.NoticeIssueView.as_view(), name="notice_issue"),
    path("notices/<int:notice_id>/notice.pdf", notices.NoticePdfView.as_view(), name="notice_pdf"),
    path(
        "notices/<int:notice_id>/notice.docx", notices.NoticeDocxView.as_view(), name="notice_docx"
    ),
    path("warnings/", notices.WarningListView.as_view(), name="warning_list"),
    path("warnings/<int:warning_id>/", notices.WarningDetailView.as_view(), name="school_warning"),
    path(
        "warnings/<int:warning_id>/action/",
        notices.WarningActionView.as_view(),
        name="warning_action",
    ),
]

app_name = "risk"
urlpatterns = [*grade_patterns, *register_patterns, *notice_patterns]
