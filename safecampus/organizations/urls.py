"""The register's pages: schools, map, responsibilities, work plans."""

from django.urls import path

from safecampus.organizations import views

app_name = "organizations"
urlpatterns = [
    path("responsibility/", views.ResponsibilityView.as_view(), name="responsibility"),
    path(
        "responsibility/<str:code>/",
        views.DesignationView.as_view(),
        name="designation",
    ),
    path("people/<int:pk>/phone/", views.PhoneRevealView.as_view(), name="phone_reveal"),
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/<str:code>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("work-plans/", views.WorkPlanListView.as_view(), name="work_plan_list"),
    path(
        "work-plans/<str:code>/<int:year>/",
        views.WorkPlanDetailView.as_view(),
        name="work_plan_detail",
    ),
]
