"""What the security app reads, for its own pages and for other apps.

- ``alerts``: alerts as a user may see them (the console, the API, the stream's scope).
- ``devices``: devices and schools as a user may see or manage them, liveness.
- ``stats``: alert figures per school and day.
- ``evidence``: the alarm evidence the monthly risk grading reads (``risk`` imports it).

Import from the module (``from safecampus.security.selectors.alerts import …``).
"""
