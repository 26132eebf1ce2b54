"""The limits and styles of the leads' workbooks on top of the core's (``core.excel``):
how many leads one import may hold, the export's chunk, date format and wrapping."""

from __future__ import annotations

from openpyxl.styles import Alignment

#: An offline collection is tens of rows; these caps keep one upload to one short request.
#: Each lead goes through the kernel (≈33 queries, several savepoints, in one transaction);
#: measured on PostgreSQL: 500 rows 5.6 s, 1,000 rows 14 s, 2,000 rows 37 s (past gunicorn's
#: 30-second worker timeout). Savepoints slow PostgreSQL down past 64 in one transaction.
MAX_IMPORT_ROWS = 500
#: Leads read from the database per query while the ledger is written.
EXPORT_CHUNK = 1000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
WRAP = Alignment(wrap_text=True, vertical="top")
