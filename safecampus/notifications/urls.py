"""The inbox's pages: the list, the bell, marking read, opening a notification's link."""

from django.urls import path

from safecampus.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.NotificationMarkAllReadView.as_view(), name="read_all"),
    path("<int:pk>/read/", views.NotificationMarkReadView.as_view(), name="read"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="open"),
]
