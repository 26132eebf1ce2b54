"""/security/devices/, /security/events/, /security/stats/: the device registry, the event
history and the alert statistics (mounted at /security/ beside the console's routes)."""

from django.urls import path

from safecampus.security.views import devices as views

app_name = "security_devices"
urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/new/", views.DeviceRegisterView.as_view(), name="device_register"),
    path("devices/import/", views.DeviceImportView.as_view(), name="device_import"),
    path(
        "devices/import/template/",
        views.DeviceImportTemplateView.as_view(),
        name="device_import_template",
    ),
    path("devices/<int:device_id>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:device_id>/rotate/", views.DeviceRotateView.as_view(), name="device_rotate"),
    path(
        "devices/<int:device_id>/enabled/",
        views.DeviceEnabledView.as_view(),
        name="device_enabled",
    ),
    path("events/", views.EventListView.as_view(), name="event_list"),
    path("events/export/", views.EventExportView.as_view(), name="event_export"),
    path("stats/", views.AlertStatsView.as_view(), name="stats"),
]
