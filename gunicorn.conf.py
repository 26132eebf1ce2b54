"""gunicorn settings that hold however SafeCampus's web process is started.

gunicorn reads ``./gunicorn.conf.py`` from the directory it starts in (the repository root
for ``manage.py serve``, ``make run``, the benchmarks and the tests that start it; pass
``--config /path/to/gunicorn.conf.py`` when starting it from elsewhere). Options that
differ between those starts (bind, workers, logs) stay on their command lines.
"""

from __future__ import annotations

from gunicorn.http import wsgi

# No `Server: gunicorn` banner. gunicorn writes that header itself ahead of the
# application's, and its maintainers declined a setting to leave it out (benoitc/gunicorn#825);
# overriding `gunicorn.SERVER` would only change the word. So the response's own headers are
# filtered here, in the master before it forks its workers. tests/test_gunicorn.py checks
# the headers of a real gunicorn, so an upgrade that moves this code fails there, not silently.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]

# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl), so
# the gunicorn of a test or a benchmark would take over the one `make run` started. Nothing
# here uses `gunicornc`; restarts go through signals (SIGHUP, SIGTERM) as before.
control_socket_disable = True
