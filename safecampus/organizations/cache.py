"""A version number for the register, so that read caches drop at once when it changes.

The register (units, schools and who holds which role where) is read on most
pages and changes rarely. Every cached rendering of it carries the version in
its key; saving or deleting a unit, school or membership, and the bulk seeding,
move the version on. Nothing that decides access is cached: scope is read fresh. With the
process-local cache of development, other worker processes see the change when
their copy expires (``REGISTER_CACHE_SECONDS``); with Redis, at once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "organizations:register:version"
REGISTER_CACHE_SECONDS: int = settings.REGISTER_CACHE_SECONDS


def register_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return int(version)


def register_changed(**_: Any) -> None:
    """Signal receiver (and a plain call after bulk writes): every cached rendering goes stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def scoped_key(prefix: str, scope: Any, *parts: str) -> str:
    """A cache key that differs for every scope, so one person's view never serves another's."""
    if scope.district_wide:
        who = "district"
    else:
        schools = ",".join(str(pk) for pk in sorted(scope.school_unit_ids))
        agencies = ",".join(str(pk) for pk in sorted(scope.agency_unit_ids))
        who = f"s{schools}|a{agencies}"
    digest = hashlib.sha256("\x00".join((who, *parts)).encode()).hexdigest()[:32]
    return f"{prefix}:{register_version()}:{digest}"
