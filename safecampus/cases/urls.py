"""The kernel's pages: the holiday calendar (working-day overrides), mounted by config/urls.py."""

from django.urls import path

from safecampus.cases import views

app_name = "cases"
urlpatterns = [
    path("holidays/", views.HolidayOverrideListView.as_view(), name="holiday_list"),
    path("holidays/delete/", views.HolidayOverrideDeleteView.as_view(), name="holiday_delete"),
]
