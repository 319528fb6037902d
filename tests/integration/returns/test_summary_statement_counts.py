"""The agency summary page runs as many statements for 40 children as for 5 (DESIGN.md §6):
before the summary is started, when the draft is made, once it has items, and when the
items are saved untouched; and the page where the audit lead and the panel read every
agency's summary. The audits are built as in
``tests/integration/test_statement_counts.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from audit_app.core.models import utcnow
from tests.conftest import page
from tests.integration.returns.test_summaries import form_as_shown
from tests.integration.test_statement_counts import SIZES, World, _count, build, isolated
from tests.statements import Statements

STEPS = (
    "summary page before it is started",
    "make the draft (POST)",
    "summary page with its items",
    "save the items untouched (POST)",
    "audit lead's agency summaries page",
    "panel's agency summaries page",
)


def _url(world: World) -> str:
    return f"/audits/{world.audit.id}/summary"


def measure(app: Flask, children: int) -> dict[str, Statements]:
    with isolated(app) as session:
        world = build(app, session, children)
        url = _url(world)
        client = world.reviewer

        def get() -> Any:
            response = client.get(url)
            assert response.status_code == 200
            return response

        def post(action: str) -> Callable[[], Any]:
            data = form_as_shown(page(client.get(url)), action)

            def request() -> Any:
                response = client.post(url, data=data)
                assert response.status_code == 302, response.get_data(as_text=True)[:2000]
                return response

            return request

        counts = {}
        get()  # once before counting: what the process loads once is not counted
        counts[STEPS[0]] = _count(app, get)
        counts[STEPS[1]] = _count(app, post("draft"))
        get()
        counts[STEPS[2]] = _count(app, get)
        post("save")()
        counts[STEPS[3]] = _count(app, post("save"))
        post("send")()
        world.audit.returns_shared_at = utcnow()  # the panel reads once the lead shares
        session.commit()
        for step, reader in zip(STEPS[4:], (world.admin, world.panel), strict=True):

            def read(reader: Any = reader) -> Any:
                response = reader.get(f"/audits/{world.audit.id}/summaries")
                assert response.status_code == 200
                assert "In " in response.get_data(as_text=True)  # the items are shown
                return response

            read()
            counts[step] = _count(app, read)
        return counts


@pytest.fixture(scope="module")
def counts(app: Flask) -> dict[int, dict[str, Statements]]:
    return {children: measure(app, children) for children in SIZES}


@pytest.mark.parametrize("step", STEPS)
def test_the_summary_statement_count_does_not_grow_with_the_cohort(
    counts: dict[int, dict[str, Statements]], step: str
) -> None:
    small, big = (counts[children][step] for children in SIZES)
    print(f"{step}: {small.count} statements at {SIZES[0]} children, {big.count} at {SIZES[1]}")
    assert small.count == big.count, f"{step}: {small.count} -> {big.count}\n{big}"
