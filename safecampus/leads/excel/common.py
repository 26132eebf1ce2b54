"""Limits, cell styles and the text rules every workbook of the ledger follows."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, PatternFill, Side

from safecampus.attachments.filetypes import XLSX
from safecampus.core.csv_export import FORMULA_START

XLSX_MIME = XLSX.mime
#: An offline collection is tens of rows; these caps keep one upload to one short request.
#: Each lead goes through the kernel (≈33 queries, several savepoints, in one transaction);
#: measured on PostgreSQL: 500 rows 5.6 s, 1,000 rows 14 s, 2,000 rows 37 s (past gunicorn's
#: 30-second worker timeout). Savepoints slow PostgreSQL down past 64 in one transaction.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 500
#: The parts of a 5 MB workbook unpack to far less; more is a zip bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: Excel keeps at most this many characters in a cell.
CELL_MAX = 32767
EXPORT_CHUNK = 1000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def safe_text(value: Any) -> str:
    """``value`` as text Excel accepts: no XML control characters, at most ``CELL_MAX``."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_MAX]


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)
