"""The panel's tests share one panel-ready audit (see ``world.py``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.integration.panel.world import PanelWorld, build_panel_world


@dataclass
class PanelClients:
    world: PanelWorld
    lead: FlaskClient
    chair: FlaskClient
    reviewer: FlaskClient  # CAMHS reviewer, also on this audit's panel
    other_panel: FlaskClient  # on another audit's panel only


@pytest.fixture
def panel_world(app: Flask, session: Session) -> PanelClients:
    world = build_panel_world(session)
    clients = []
    for user in (world.lead, world.chair, world.reviewer, world.other_panel):
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        clients.append(client)
    return PanelClients(world, *clients)
