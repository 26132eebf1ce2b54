"""Excel workbooks of the leads ledger (线索台账): the export a bureau files, the template for
leads collected offline, and the reader of a filled-in template (on ``core.excel``'s
reader). No HTTP and no writes here.

The core's limits and MIME type are re-exported: they are this package's too, and the
pages and tests name them as ``excel.MAX_IMPORT_BYTES``.
"""

from safecampus.core.excel import (
    MAX_IMPORT_BYTES,
    MAX_UNPACKED_BYTES,
    XLSX_MIME,
    ImportRows,
    RowError,
)
from safecampus.leads.excel.common import MAX_IMPORT_ROWS
from safecampus.leads.excel.ledger import (
    LEDGER_COLUMNS,
    LEDGER_HEADER_ROW,
    ledger_leads,
    ledger_write,
)
from safecampus.leads.excel.reader import ImportRejected, import_read
from safecampus.leads.excel.template import IMPORT_COLUMNS, import_template

__all__ = [
    "IMPORT_COLUMNS",
    "LEDGER_COLUMNS",
    "LEDGER_HEADER_ROW",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "MAX_UNPACKED_BYTES",
    "XLSX_MIME",
    "ImportRejected",
    "ImportRows",
    "RowError",
    "import_read",
    "import_template",
    "ledger_leads",
    "ledger_write",
]
