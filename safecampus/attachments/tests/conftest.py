from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def school_a(district):
    """The School row of school A: an owner whose visible_to follows the school scope."""
    return district.school_a.school


@pytest.fixture
def stored_files(settings):
    """Every file under MEDIA_ROOT, as paths relative to it."""

    def list_files() -> list[str]:
        root = Path(settings.MEDIA_ROOT)
        if not root.exists():
            return []
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    return list_files
