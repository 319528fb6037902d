"""The exports' tests start from the panel's world (one per module, each test in a
savepoint: see ``tests/integration/panel/conftest.py``)."""

from tests.integration.panel.conftest import (  # noqa: F401  (fixtures used by name)
    built_world,
    panel_world,
    session,
)
