"""The security app's HTML pages, one module per concern: the alert console and history
(``console``), the device registry, event history and statistics (``devices``) and the alert
rules (``rules``). Pages parse with ``forms``, write through services and read through
selectors; programs get the same data from ``api``."""
