"""The project's settings with every cache a miss: the "cold" rows of bench-web and
bench-leads. The app caches whole responses and counts (the API school list per scope and
query for 30 s, the home page's numbers, the hazard register's cards for 60 s), so a bench
that repeats one URL would mostly time cache hits; cold rows time the work itself."""

from config.settings import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # sessions must not vanish with the cache
