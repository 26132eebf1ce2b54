"""Routes: the risk register, warning levels, seasonal calendar and school profiles."""

from django.urls import URLPattern, path

from safecampus.risk import views_register as views

urlpatterns: list[URLPattern] = [
    path("register/", views.RegisterListView.as_view(), name="register_list"),
    path("register/new/", views.RegisterCreateView.as_view(), name="register_create"),
    path("register/<int:item_id>/", views.RegisterItemView.as_view(), name="register_item"),
    path("register/<int:item_id>/edit/", views.RegisterEditView.as_view(), name="register_edit"),
    path(
        "register/<int:item_id>/review/",
        views.RegisterReviewView.as_view(),
        name="register_review",
    ),
    path(
        "register/<int:item_id>/retire/",
        views.RegisterRetireView.as_view(),
        name="register_retire",
    ),
    path("levels/", views.LevelBandsView.as_view(), name="level_bands"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/new/", views.CalendarCreateView.as_view(), name="calendar_create"),
    path("calendar/<int:risk_id>/edit/", views.CalendarEditView.as_view(), name="calendar_edit"),
    path(
        "calendar/<int:risk_id>/active/",
        views.CalendarActiveView.as_view(),
        name="calendar_active",
    ),
    path(
        "schools/<int:school_id>/profile/",
        views.SchoolProfileView.as_view(),
        name="school_profile",
    ),
]
