"""Eight processes save the same return at once: every save lands or is refused as a
conflict, none is lost, and no "database is locked" reaches anyone. Runs on SQLite and, in
the PostgreSQL pass of `make test`, on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from audit_app.accounts.users import create_user
from audit_app.agencies.register import save_agency
from audit_app.audits.lifecycle import move, set_agencies
from audit_app.core.db import Database
from audit_app.core.migrate import upgrade
from audit_app.models import (
    AgencyReturn,
    AgencySector,
    Answer,
    Audit,
    AuditStatus,
    ChildIdentity,
    CohortMember,
    Role,
)
from audit_app.questionnaires.library import load_template
from tests.conftest import EXAMPLE_TEMPLATE, PASSWORD
from tests.databases import fresh_database

PROCESSES = 8
ROUNDS = 4
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def _worker(url: str, email: str, return_id: int, number: int, barrier: Any, results: Any) -> None:
    os.environ["AUDIT_SECRET_KEY"] = "concurrency-test-secret-key-long-enough-for-it"
    os.environ["AUDIT_ENV"] = "testing"
    from audit_app import create_app

    app = create_app({"AUDIT_DATABASE_URL": url})
    client = app.test_client()
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    client.post(
        "/sign-in",
        data={
            "csrf_token": TOKEN.search(sign_in_page).group(1),
            "email": email,
            "password": PASSWORD,
        },
    )
    outcomes = []
    barrier.wait(timeout=300)  # eight interpreters starting on two cores can be slow
    for round_number in range(ROUNDS):
        section = f"/returns/{return_id}/sections/1"
        body = client.get(section).get_data(as_text=True)
        text = f"process {number} round {round_number}"
        response = client.post(
            section,
            data={
                "csrf_token": TOKEN.search(body).group(1),
                "version": VERSION.search(body).group(1),
                "missed_opportunity": text,
            },
        )
        answer = response.get_data(as_text=True)
        if response.status_code == 302:
            outcomes.append(("landed", text))
        elif response.status_code == 200 and "Someone else saved this return" in answer:
            outcomes.append(("conflict", text))
        else:
            locked = "database is locked" in answer
            outcomes.append((f"error {response.status_code} locked={locked}", text))
    results.put(outcomes)


def _set_up(url: str) -> tuple[int, str, int]:
    database = Database(url)
    session = database.new_session(actor_label="test")
    agency = save_agency(
        session,
        None,
        name="CAMHS",
        short_name="CAMHS",
        sector=AgencySector.MENTAL_HEALTH,
        contact_email=None,
    )
    reviewer = create_user(
        session,
        email="reviewer@example.org",
        full_name="R",
        password=PASSWORD,
        role=Role.REVIEWER,
        agency_id=agency.id,
    )
    version = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), "example.yaml").version
    audit = Audit(title="Concurrency", template_version_id=version.id)
    session.add(audit)
    session.flush()
    member = CohortMember(audit_id=audit.id, code="Child A", position=0)
    member.identity = ChildIdentity(local_id="L1", full_name="N")
    session.add(member)
    session.flush()
    set_agencies(session, audit, [agency.id])
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()
    agency_return = session.scalar(select(AgencyReturn))
    result = (agency_return.id, reviewer.email, agency_return.version)
    session.close()
    database.engine.dispose()
    return result


def test_eight_processes_saving_one_return(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "concurrency") as url:
        upgrade(url)
        return_id, email, first_version = _set_up(url)
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        workers = [
            context.Process(target=_worker, args=(url, email, return_id, n, barrier, results))
            for n in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        outcomes = [item for _ in workers for item in results.get(timeout=600)]
        for worker in workers:
            worker.join(timeout=120)
            assert worker.exitcode == 0
        database = Database(url)
        with database.new_session() as session:
            agency_return = session.get(AgencyReturn, return_id)
            stored = session.scalar(
                select(Answer.value).where(Answer.question_id == "missed_opportunity")
            )
            final_version = agency_return.version
        database.engine.dispose()

    kinds = [kind for kind, _ in outcomes]
    assert len(outcomes) == PROCESSES * ROUNDS
    assert set(kinds) <= {"landed", "conflict"}, [k for k in kinds if k.startswith("error")]
    landed = [text for kind, text in outcomes if kind == "landed"]
    assert landed, "at least one save lands"
    # Every landed save moved the version on by one: none overwrote another silently.
    assert final_version == first_version + len(landed)
    assert stored in landed
