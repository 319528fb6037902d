"""The home pages hold a fixed number of statements, and the reviewer's task list counts
answers in SQL instead of loading them (issue 9).

The reviewer's task list grew from 22 to 196 ms between 10 and 60 children: it loaded every
answer of every return (about 6,000 at 60 children x 100 questions) to count them. The
audits are built as in ``tests/integration/test_statement_counts.py``: every return of the
reviewer's agency has answers, one of them to a question asked only on a condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import event

from audit_app.models import Answer
from tests.integration.test_statement_counts import SIZES, World, build, isolated
from tests.statements import Statements, recorded_statements

HOME_PAGES = {
    "reviewer's home (task list)": "reviewer",
    "audit lead's home": "admin",
    "panel member's home": "panel",
}


class Measured:
    """A home page's statements and the answer objects it loaded, once warmed up."""

    def __init__(self, statements: Statements, answers_loaded: int, body: str) -> None:
        self.statements = statements
        self.answers_loaded = answers_loaded
        self.body = body


def _measure(app: Flask, world: World, who: str) -> Measured:
    client = getattr(world, who)
    assert client.get("/").status_code == 200  # what the process loads once is not counted
    loaded: list[Any] = []

    def on_load(target: Any, _context: Any) -> None:
        loaded.append(target)

    event.listen(Answer, "load", on_load)
    try:
        with recorded_statements(app) as statements:
            response = client.get("/")
    finally:
        event.remove(Answer, "load", on_load)
    assert response.status_code == 200
    return Measured(statements, len(loaded), response.get_data(as_text=True))


@pytest.fixture(scope="module")
def measured(app: Flask) -> Iterator[dict[int, dict[str, Measured]]]:
    found: dict[int, dict[str, Measured]] = {}
    for children in SIZES:
        with isolated(app) as session:
            world = build(app, session, children)
            found[children] = {name: _measure(app, world, who) for name, who in HOME_PAGES.items()}
    yield found


@pytest.mark.parametrize("name", HOME_PAGES)
def test_a_home_page_runs_as_many_statements_for_40_children_as_for_5(
    measured: dict[int, dict[str, Measured]], name: str
) -> None:
    small, big = (measured[children][name].statements for children in SIZES)
    print(f"{name}: {small.count} statements at {SIZES[0]} children, {big.count} at {SIZES[1]}")
    assert small.count == big.count, f"{name}: {small.count} -> {big.count}\n{big}"


def test_the_reviewers_task_list_counts_answers_without_loading_them(
    measured: dict[int, dict[str, Measured]],
) -> None:
    for children in SIZES:
        page = measured[children]["reviewer's home (task list)"]
        assert page.answers_loaded == 0, f"{page.answers_loaded} answers loaded"
        reading_answers = [sql for sql in page.statements.queries if "FROM answer" in sql]
        assert reading_answers, "the task list shows how far through each return is"
        for sql in reading_answers:
            # Either a count per return, or only the answers that decide what is asked.
            assert "GROUP BY" in sql or "answer.question_id IN" in sql, sql


def test_the_task_list_still_says_how_far_through_each_return_is(
    measured: dict[int, dict[str, Measured]],
) -> None:
    """Every return of the reviewer's agency answers early help "no" (so the follow-up is
    asked), the follow-up and who referred: 3 of the example template's 9 questions. The
    task list is a table on wide screens and a card per return on phones: both say it."""
    for children in SIZES:
        soup = BeautifulSoup(measured[children]["reviewer's home (task list)"].body, "html.parser")
        table, cards = soup.select_one(".app-wide-only"), soup.select_one(".app-narrow-only")
        assert table is not None and cards is not None
        assert table.get_text().count("3 of 10 answered") == children
        assert cards.get_text().count("3 of 10 answered") == children
