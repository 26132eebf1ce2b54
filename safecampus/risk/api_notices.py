"""API routes: notices (included by safecampus.api.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
