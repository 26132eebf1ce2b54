"""Vendor device adapters: one folder per vendor protocol, each a pure parser from the
vendor's own payloads to the platform's generic events (no ORM, no settings), with the
recorded payloads it is tested against beside it in ``fixtures/``."""
