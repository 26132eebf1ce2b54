"""The app under a real gunicorn for the tests that need one, as production runs it: 2 sync
workers, ``config.wsgi``, the repository's ``gunicorn.conf.py``, on its own free port, with
its own var dir and a throw-away database — SQLite in the var dir, or a fresh database on
the PostgreSQL server that ``DATABASE_URL`` names (dropped afterwards)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from bench import web


@contextmanager
def live_gunicorn(
    prefix: str,
    *,
    extra_env: dict[str, str] | None = None,
    prepare: Callable[[dict[str, str]], None] = lambda env: None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (port, environment) of a gunicorn serving a freshly migrated database;
    ``prepare(env)`` runs management commands before it starts."""
    var = tempfile.mkdtemp(prefix=f"{prefix}-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env |= (extra_env or {}) | {
        "SAFECAMPUS_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SAFECAMPUS_TEST_APPS": "0",
    }
    server_url = env.pop("DATABASE_URL", "")
    database = ""
    if server_url.startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"], database = _fresh_postgres(server_url)
    process = None
    try:
        web.manage(env, "migrate", "--noinput")
        prepare(env)
        port = web.free_port()
        # No --config: gunicorn reads the repository's gunicorn.conf.py from its directory.
        process = subprocess.Popen(
            [
                *(web.PY, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"),
            ],
            cwd=web.ROOT,
            env=env,
        )
        web.wait_until_up(port)
        yield port, env
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        if database:
            _drop_postgres(server_url, database)
        shutil.rmtree(var, ignore_errors=True)


def _on_server(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _fresh_postgres(url: str) -> tuple[str, str]:
    """A new empty database on the server ``url`` names (which need not exist itself)."""
    import psycopg

    name = f"sc_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_on_server(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return _on_server(url, name), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_on_server(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
