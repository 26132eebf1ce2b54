"""WSGI entry point: pages and the API run here (gunicorn, sync workers)."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded now (Django, every app's models, views, forms and URL patterns: ~200,000
# objects) lives as long as the worker. Frozen, it is left out of the garbage collector's
# full collections, which otherwise walked all of it about once every hundred page requests:
# ~110-130 ms of CPU stalling that one request, ~1.2 ms a request on average; frozen, a full
# collection costs ~2 ms (measured in-process, 2026-12-08, see docs/benchmarks.md).
import_module(settings.ROOT_URLCONF)
gc.freeze()
