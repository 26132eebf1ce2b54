"""The security app's machine interfaces under /api/v1/: device ingestion (the generic
``ingest`` endpoint and the Hikvision ISAPI listener ``hikvision``), alerts for programs
(``alerts``) and the alert figures per school (``stats``). Nothing here imports an HTML view:
what a page and an endpoint share lives in ``forms``, ``permissions``, services or selectors."""
