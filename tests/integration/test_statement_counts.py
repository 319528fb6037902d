"""The number of SQL statements a page runs does not grow with the cohort (DESIGN.md §6).

Each page that lists children, returns or answers is requested in an audit of 5 children
and in one of 40, built the same way through the domain functions; the two counts must be
equal. Every page is requested once before it is counted, so that what a process loads once
(a template's definition) is not counted against the first audit.

No page is marked as a known failure: a page whose count grows fails here. Pages of other
areas have their own files beside their tests (the home pages, the agency summary, the
audit log), built with ``build`` and ``isolated`` from here.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import move, set_agencies, set_panel
from audit_app.cohort.selection import draw_cohort, save_mapping, store_population
from audit_app.core.db import Database
from audit_app.demo import DEMO_MAPPING, demo_population
from audit_app.models import (
    AgencyReturn,
    AgencySector,
    Audit,
    AuditStatus,
    CohortMember,
    Role,
)
from audit_app.questionnaires.library import load_template
from audit_app.returns import answering
from audit_app.workbooks.workbook import FIRST_ROW
from tests.conftest import EXAMPLE_TEMPLATE, make_user, sign_in
from tests.statements import Statements, recorded_statements

SIZES = (5, 40)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UPLOAD_PART = re.compile(r'name="upload" value="([^"]+)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    """An audit collecting returns, its lead, a reviewer, a panel member and their clients."""

    audit: Audit
    first_return: AgencyReturn
    admin: FlaskClient
    reviewer: FlaskClient
    panel: FlaskClient
    admin_token: str = ""


@contextmanager
def isolated(app: Flask) -> Iterator[Session]:
    """As the ``session`` fixture, but usable twice in one module: everything done inside,
    by the test and by every request, is rolled back at the end."""
    database: Database = app.extensions["audit_db"]
    connection = database.engine.connect()
    transaction = connection.begin()
    database.session_factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    session = database.new_session(actor_label="test")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
        database.session_factory.configure(
            bind=database.engine, join_transaction_mode="conservative_savepoint"
        )


def build(app: Flask, session: Session, children: int) -> World:
    """An audit of ``children`` drawn from a population list, two agencies, a panel; every
    return of the reviewer's agency has answers, a chronology entry and an urgent concern;
    half the police's returns say "no involvement"."""
    camhs = save_agency(
        session,
        None,
        name="Child and Adolescent Mental Health Services",
        short_name="CAMHS",
        sector=AgencySector.MENTAL_HEALTH,
        contact_email="camhs@example.org",
    )
    police = save_agency(
        session,
        None,
        name="Police",
        short_name="Police",
        sector=AgencySector.POLICE,
        contact_email="police@example.org",
    )
    admin = make_user(session, Role.ADMIN, email="lead@example.org")
    reviewer = make_user(session, Role.REVIEWER, camhs, email="reviewer@example.org")
    panel = make_user(session, Role.PANEL, email="panel@example.org")
    version = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), EXAMPLE_TEMPLATE.name).version
    audit = Audit(title="Children in crisis", template_version_id=version.id, lead=admin)
    session.add(audit)
    session.flush()
    set_agencies(session, audit, [camhs.id, police.id])
    set_panel(session, audit, [panel.id], panel.id)
    stored = store_population(session, audit, demo_population(), admin.id)
    save_mapping(session, stored, DEMO_MAPPING)
    draw_cohort(
        session,
        audit,
        size=children,
        seed="statement-counts",
        filters=[],
        strata=None,
        user_id=admin.id,
    )
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    own = list(
        session.scalars(
            select(AgencyReturn)
            .join(CohortMember)
            .where(AgencyReturn.audit_id == audit.id, AgencyReturn.agency_id == camhs.id)
            .order_by(CohortMember.position)
        )
    )
    assert len(own) == children
    for number, agency_return in enumerate(own):
        answering.save_section(
            session,
            agency_return,
            agency_return.version,
            {
                "early_help_offered": "no",
                "missed_opportunity": f"Seen twice in May ({number})",
                "who_referred": "gp",
            },
            {},
            reviewer,
        )
        answering.add_chronology_entry(
            session,
            agency_return,
            happened_on=audit.created_at.date(),
            what_happened="Seen in ED",
            agency_response="Referred on",
            missed_opportunity=number % 2 == 0,
        )
        answering.raise_concern(session, agency_return, f"Worried about child {number}", reviewer)
    police_returns = session.scalars(
        select(AgencyReturn).where(
            AgencyReturn.audit_id == audit.id, AgencyReturn.agency_id == police.id
        )
    )
    for number, agency_return in enumerate(police_returns):
        if number % 2 == 0:
            answering.record_no_involvement(
                session, agency_return, agency_return.version, "Not known to us", reviewer
            )
    session.commit()
    clients = {}
    for role, user in ((Role.ADMIN, admin), (Role.REVIEWER, reviewer), (Role.PANEL, panel)):
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        clients[role] = client
    world = World(audit, own[0], clients[Role.ADMIN], clients[Role.REVIEWER], clients[Role.PANEL])
    world.admin_token = _token(world.admin, f"/audits/{audit.id}")
    return world


def _token(client: FlaskClient, url: str) -> str:
    match = TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _filled_workbook(raw: bytes) -> bytes:
    """Every child's sheet with a new answer, as a reviewer fills it in offline."""
    book = openpyxl.load_workbook(io.BytesIO(raw))
    for sheet in book.worksheets:
        for row in range(FIRST_ROW, sheet.max_row + 1):
            if sheet[f"F{row}"].value == "missed_opportunity":
                sheet[f"C{row}"].value = f"Written offline on {sheet.title}"
                sheet[f"C{row}"].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Request = Callable[[World], Any]


def _get(who: str, url: str) -> Request:
    def request(world: World) -> Any:
        client = getattr(world, who)
        response = client.get(url.format(a=world.audit.id, r=world.first_return.id))
        assert response.status_code == 200, (url, response.status_code)
        return response

    return request


def _verify(world: World) -> Any:
    response = world.admin.post(
        f"/audits/{world.audit.id}/draw/verify", data={"csrf_token": world.admin_token}
    )
    assert response.status_code == 200 and "The draw is verified" in response.get_data(as_text=True)
    return response


def _upload(world: World) -> Any:
    raw = world.reviewer.get(f"/audits/{world.audit.id}/workbook").data
    url = f"/audits/{world.audit.id}/workbook/upload"
    token = _token(world.reviewer, url)
    filled = _filled_workbook(raw)

    def post() -> Any:
        response = world.reviewer.post(
            url,
            data={"csrf_token": token, "file": (io.BytesIO(filled), "workbook.xlsx")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 200
        return response

    return post


PAGES: dict[str, Request] = {
    "audit page and returns matrix": _get("admin", "/audits/{a}"),
    "identities": _get("admin", "/audits/{a}/identities"),
    "add a child": _get("admin", "/audits/{a}/cohort/add"),
    "draw page": _get("admin", "/audits/{a}/draw"),
    "verify draw (POST)": _verify,
    "audit lead's view of a return": _get("admin", "/audits/{a}/returns/{r}"),
    "admin home": _get("admin", "/"),
    "reviewer home (task list)": _get("reviewer", "/"),
    "return overview": _get("reviewer", "/returns/{r}"),
    "section page": _get("reviewer", "/returns/{r}/sections/1"),
    "check your answers": _get("reviewer", "/returns/{r}/check"),
    "chronology": _get("reviewer", "/returns/{r}/chronology"),
    "agency summary": _get("reviewer", "/audits/{a}/summary"),
    "offline workbook download": _get("reviewer", "/audits/{a}/workbook"),
    "workbook upload preview (POST)": lambda world: None,  # measured apart, below
    "workbook confirm (POST)": lambda world: None,
    "panel member's home": _get("panel", "/"),
}


def _count(app: Flask, request: Callable[[], Any]) -> Statements:
    with recorded_statements(app) as statements:
        request()
    return statements


def measure(app: Flask, children: int) -> dict[str, Statements]:
    with isolated(app) as session:
        world = build(app, session, children)
        counts = {}
        for name, page in PAGES.items():
            if name.startswith("workbook"):
                continue
            page(world)  # once before counting: what the process loads once is not counted
            counts[name] = _count(app, lambda page=page: page(world))
        post_upload = _upload(world)
        post_upload()
        counts["workbook upload preview (POST)"] = _count(app, post_upload)
        preview = post_upload().get_data(as_text=True)
        parts = UPLOAD_PART.findall(preview)
        assert parts, "the preview offers nothing to save"
        token = TOKEN.search(preview).group(1)

        def confirm() -> Any:
            response = world.reviewer.post(
                f"/audits/{world.audit.id}/workbook/confirm",
                data={"csrf_token": token, "upload": parts},
                content_type="multipart/form-data",
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            return response

        counts["workbook confirm (POST)"] = _count(app, confirm)
        return counts


@pytest.fixture(scope="module")
def counts(app: Flask) -> dict[int, dict[str, Statements]]:
    return {children: measure(app, children) for children in SIZES}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_statement_count_does_not_grow_with_the_cohort(
    counts: dict[int, dict[str, Statements]], name: str
) -> None:
    small, big = (counts[children][name] for children in SIZES)
    print(f"{name}: {small.count} statements at {SIZES[0]} children, {big.count} at {SIZES[1]}")
    assert small.count == big.count, f"{name}: {small.count} -> {big.count}\n{big}"


def test_print_the_counts(counts: dict[int, dict[str, Statements]]) -> None:
    """The figures, for the record (run with -s to see them)."""
    width = max(len(name) for name in PAGES)
    print()
    print(f"{'page':<{width}}  " + "  ".join(f"{n:>3} children" for n in SIZES))
    for name in PAGES:
        print(f"{name:<{width}}  " + "  ".join(f"{counts[n][name].count:>12}" for n in SIZES))
    assert all(counts[n][name].count > 0 for n in SIZES for name in PAGES)
    if os.environ.get("SHOW_STATEMENTS"):
        for name in os.environ["SHOW_STATEMENTS"].split(","):
            print(f"--- {name} at {SIZES[-1]} children\n{counts[SIZES[-1]][name]}")
