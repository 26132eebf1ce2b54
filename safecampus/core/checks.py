"""Start-up checks of what the core needs from the installation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

PDF_FONTS = ("NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf")


@checks.register()
def check_pdf_fonts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Formal documents (rectification and warning notices) embed Noto Sans SC: without the
    font files every PDF download would fail."""
    missing = [name for name in PDF_FONTS if not (settings.PDF_FONT_DIR / name).is_file()]
    if not missing:
        return []
    return [
        checks.Warning(
            f"PDF fonts missing in {settings.PDF_FONT_DIR}: {', '.join(missing)}.",
            hint="Run `make setup` (npm ci and the asset build copy them) or set PDF_FONT_DIR.",
            id="core.W001",
        )
    ]
