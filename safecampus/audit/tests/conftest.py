"""Databases to tamper with: this test database as production behaves, and a real one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

PRODUCTION = "audit_production"


@pytest.fixture
def production_guard(db):
    """Drop this test database's flush marker (rolled back after the test): triggers as in prod."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_test_database")


def _create(name: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')


def _drop(name: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def production_database(db, tmp_path) -> Iterator[BaseDatabaseWrapper]:
    """A database that is not a throwaway test database, with the audit app migrated into it.

    A file for SQLite; for PostgreSQL a database whose name does not start with ``test_``.
    """
    config = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        config["NAME"] = str(tmp_path / "production.sqlite3")
    else:
        config["NAME"] = str(config["NAME"]).removeprefix("test_") + "_production"
        _create(config["NAME"])
    connections.settings[PRODUCTION] = config
    production = connections[PRODUCTION]
    # Connected here: Django's test case refuses to open a connection it was not told about.
    production.connect()
    try:
        executor = MigrationExecutor(production)
        executor.migrate(executor.loader.graph.leaf_nodes("audit"))
        yield production
    finally:
        production.close()
        del connections[PRODUCTION]
        del connections.settings[PRODUCTION]
        if connection.vendor == "postgresql":
            _drop(config["NAME"])
