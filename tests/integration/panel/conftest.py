"""The panel's tests share one panel-ready audit (see ``world.py``), built once per module.

Building the world and signing four people in costs over a second; with about 150 tests
here that was minutes of every run. So each module builds it once, inside a transaction
that is rolled back when the module ends, and each test runs inside a savepoint of that
transaction that is rolled back when the test ends: every test still starts from the same
world, and nothing a test (or a request it makes) writes reaches the next test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, inspect
from sqlalchemy.orm import Session

from audit_app.core.db import Database
from tests.conftest import sign_in
from tests.integration.panel.world import PanelWorld, build_panel_world


@dataclass
class PanelClients:
    world: PanelWorld
    lead: FlaskClient
    chair: FlaskClient
    reviewer: FlaskClient  # CAMHS reviewer, also on this audit's panel
    other_panel: FlaskClient  # on another audit's panel only


@dataclass
class BuiltWorld:
    connection: Connection
    world: PanelWorld  # its objects detached: tests get copies from their own session
    cookies: dict[str, dict[str, str]]  # each person's cookies once signed in


SIGNED_IN = ("lead", "chair", "reviewer", "other_panel")


@pytest.fixture(scope="module")
def built_world(app: Flask) -> Iterator[BuiltWorld]:
    database: Database = app.extensions["audit_db"]
    connection = database.engine.connect()
    transaction = connection.begin()
    database.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    build_session = database.new_session(actor_label="test")
    try:
        world = build_panel_world(build_session)
        cookies = {}
        for name in SIGNED_IN:
            client = app.test_client()
            assert sign_in(client, getattr(world, name).email).status_code == 302
            cookies[name] = {
                key: cookie.value
                for key in (app.config["SESSION_COOKIE_NAME"],)
                if (cookie := client.get_cookie(key)) is not None
            }
        build_session.close()
        yield BuiltWorld(connection, world, cookies)
    finally:
        build_session.close()
        transaction.rollback()
        connection.close()
        database.session_factory.configure(
            bind=database.engine, join_transaction_mode="conservative_savepoint"
        )


@pytest.fixture
def session(app: Flask, built_world: BuiltWorld) -> Iterator[Session]:
    """As the shared ``session`` fixture, but inside the module's world: everything the test
    and its requests write is rolled back with the test's savepoint."""
    database: Database = app.extensions["audit_db"]
    savepoint = built_world.connection.begin_nested()
    session = database.new_session(actor_label="test")
    try:
        yield session
    finally:
        session.close()
        if savepoint.is_active:
            savepoint.rollback()


def _attached(world: PanelWorld, session: Session) -> PanelWorld:
    """The world with every object loaded afresh in ``session`` (by the primary key each
    keeps from the world's own session)."""

    def fresh(obj: object) -> object:
        identity = inspect(obj).identity
        assert identity is not None
        return session.get(type(obj), identity)

    values = {}
    for item in fields(world):
        value = getattr(world, item.name)
        if isinstance(value, list):
            values[item.name] = [fresh(obj) for obj in value]
        elif isinstance(value, dict):
            values[item.name] = {key: fresh(obj) for key, obj in value.items()}
        elif item.name == "definition":
            values[item.name] = value
        else:
            values[item.name] = fresh(value)
    return PanelWorld(**values)


@pytest.fixture
def panel_world(app: Flask, session: Session, built_world: BuiltWorld) -> PanelClients:
    world = _attached(built_world.world, session)
    clients = []
    for name in SIGNED_IN:
        client = app.test_client()
        for key, value in built_world.cookies[name].items():
            client.set_cookie(key, value)
        clients.append(client)
    return PanelClients(world, *clients)
