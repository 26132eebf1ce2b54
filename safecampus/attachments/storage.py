"""Where attachment bytes live: under ``MEDIA_ROOT``, outside the web root, in sharded folders.

Names are ``ab/cd/<32 hex>.<ext>``, random and free of user input, so that no
upload can choose or guess a path and no folder grows past a few thousand files.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage

STORED_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.[a-z0-9]{1,8}$")


def attachment_storage() -> FileSystemStorage:
    # Built per call so that a changed MEDIA_ROOT (tests, a remounted volume) is honoured.
    return FileSystemStorage(
        location=settings.MEDIA_ROOT,
        base_url=None,
        file_permissions_mode=0o640,
        directory_permissions_mode=0o750,
    )


def new_stored_name(extension: str) -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token[2:4]}/{token}{extension}"
