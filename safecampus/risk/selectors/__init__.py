"""Scoped reads of the risk app that pages, the API, documents and other apps use:
``grades`` (the monthly grades; the dashboard reads its counts) and ``notices``."""
