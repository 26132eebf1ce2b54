"""Routes: grades (see urls.py)."""

from django.urls import URLPattern, path

from safecampus.risk import views_grades as views

urlpatterns: list[URLPattern] = [
    path("", views.GradeListView.as_view(), name="grade_list"),
    path("grades/compute/", views.GradeComputeView.as_view(), name="grade_compute"),
    path("schools/<int:school_id>/", views.SchoolGradeView.as_view(), name="school_grade"),
    path(
        "schools/<int:school_id>/<str:month>/adjust/",
        views.GradeAdjustView.as_view(),
        name="grade_adjust",
    ),
    path(
        "schools/<int:school_id>/<str:month>/adjust/clear/",
        views.GradeAdjustClearView.as_view(),
        name="grade_adjust_clear",
    ),
]
