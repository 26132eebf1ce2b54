"""ASGI entry point for the live stream only (Server-Sent Events), not for pages.

Pages and the API run under WSGI (``config.wsgi``, gunicorn sync workers): a
sync worker serves many more requests per second than the same app under an
async server. Long-lived event streams would pin those workers, so they are
served by this small separate process:

    uvicorn config.asgi:application --port 8001 --timeout-graceful-shutdown 5

In production, route ``/stream/`` to it on the same host as the pages; in
development the page (port 8000) reads it cross-origin, allowed by
``STREAM_ALLOWED_ORIGINS``. ``--timeout-graceful-shutdown`` matters: open
streams never end by themselves, so without it a restart waits for every
browser to leave.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from safecampus.stream.app import application  # noqa: E402

__all__ = ["application"]
