"""`make bench`: how the pages that grow with an audit hold up at scale.

Builds, through the domain functions and in throwaway SQLite databases, an audit of 10
children and one of 60, each with 15 agencies, a template of 100 questions, and every
return fully answered (90,000 answers at 60 children); then signs in as the audit lead, a
reviewer and a panel member and prints, for every page that lists children, returns,
answers or log entries, the median time of several renders and the number of SQL
statements, at 10 and at 60 children. Then the offline workbook: its download against
openpyxl writing the same cells in write-only mode, and its upload against openpyxl
reading them in read-only mode, in the same run. And an autosave: its time, and how long
it holds SQLite's write lock.

Goals (issue 9): every page under 300 ms median at 60 children, statement counts equal at
10 and 60, the workbook download at most 1.5 times write-only openpyxl. Issue 13: the
audit workbook at most 1.3 times openpyxl writing its cells bare in write-only mode, the
findings report's time, and the peak memory of both.

    .venv/bin/python -m scripts.bench [--children 10 60] [--repeats 5]

Nothing here is a test: it prints figures, and says which miss their goal.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

AGENCIES = 15
QUESTIONS = 100
SECTIONS = 10
PASSWORD = "bench password that is long enough"  # noqa: S105 (throwaway accounts)
PAGE_GOAL_MS = 300.0
WORKBOOK_GOAL = 1.5
EXPORT_GOAL = 1.3
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UPLOAD_PART = re.compile(r'name="upload" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


# ---------------------------------------------------------------------------- the audit


def template_yaml() -> bytes:
    """A template of 100 questions in 10 sections, every common answer type in turn, one in
    eight a follow-up asked only after a given answer."""
    sections = []
    number = 0
    for s in range(SECTIONS):
        questions: list[dict[str, Any]] = []
        for q in range(QUESTIONS // SECTIONS):
            number += 1
            qid = f"q{number:03d}"
            kind = q % 8
            if kind == 0:
                questions.append(
                    {
                        "id": qid,
                        "type": "yes_no_unknown",
                        "text": f"Question {number}: was the child seen?",
                        "maps": {
                            "yes": "working_well",
                            "no": "worried_about",
                        },
                    }
                )
            elif kind == 1:
                questions.append(
                    {
                        "id": qid,
                        "type": "free_text",
                        "text": f"Question {number}: what happened?",
                        "column": "worried_about",
                    }
                )
            elif kind == 2:
                questions.append(
                    {
                        "id": qid,
                        "type": "single_choice",
                        "text": f"Question {number}: who referred the child?",
                        "options": [
                            {"value": "school", "label": "School"},
                            {"value": "gp", "label": "GP"},
                            {"value": "police", "label": "Police"},
                        ],
                        "maps": {
                            "school": "working_well",
                            "gp": "working_well",
                            "police": "worried_about",
                        },
                    }
                )
            elif kind == 3:
                questions.append(
                    {
                        "id": qid,
                        "type": "multiple_choice",
                        "text": f"Question {number}: which services were involved?",
                        "required": False,
                        "options": [
                            {"value": "camhs", "label": "CAMHS"},
                            {"value": "social_care", "label": "Social care"},
                            {"value": "school_nurse", "label": "School nurse"},
                        ],
                        "column": "working_well",
                    }
                )
            elif kind == 4:
                questions.append(
                    {
                        "id": qid,
                        "type": "grade",
                        "scale": "ofsted",
                        "text": f"Question {number}: how good was the practice?",
                        "rationale": "required",
                    }
                )
            elif kind == 5:
                questions.append(
                    {
                        "id": qid,
                        "type": "date",
                        "text": f"Question {number}: when was the referral?",
                    }
                )
            elif kind == 6:
                questions.append(
                    {
                        "id": qid,
                        "type": "number",
                        "text": f"Question {number}: how many days did the child wait?",
                        "min": 0,
                        "unit": "days",
                    }
                )
            else:
                # A follow-up, asked when the group's first question is answered "no" (a
                # return keeps the answer when it is not: the panel must leave it out).
                questions.append(
                    {
                        "id": qid,
                        "type": "free_text",
                        "text": f"Question {number}: what needs to happen?",
                        "column": "needs_to_happen",
                        "required": False,
                        "show_if": {"question": f"q{number - 7:03d}", "equals": "no"},
                    }
                )
        sections.append({"title": f"Section {s + 1}", "questions": questions})
    document = {
        "id": "bench-audit",
        "title": "Benchmark audit of 100 questions",
        "version": "1.0",
        "purpose": "Measure the service at scale.",
        "scales": ["ofsted"],
        "sections": sections,
    }
    return yaml.safe_dump(document, sort_keys=False).encode()


def answers_for(child: int, agency: int) -> tuple[dict[str, Any], dict[str, str]]:
    """Every question answered, varied by child and agency."""
    values: dict[str, Any] = {}
    rationales: dict[str, str] = {}
    grades = ["outstanding", "good", "requires_improvement", "inadequate"]
    for number in range(1, QUESTIONS + 1):
        qid = f"q{number:03d}"
        kind = (number - 1) % (QUESTIONS // SECTIONS) % 8
        n = child * 31 + agency * 7 + number
        if kind == 0:
            values[qid] = ["yes", "no", "not_known"][n % 3]
        elif kind in (1, 7):
            values[qid] = (
                f"Child {child}, agency {agency}, question {number}: the worker saw the child "
                f"at home and at school; the plan was reviewed after {n % 12 + 1} weeks."
            )
        elif kind == 2:
            values[qid] = ["school", "gp", "police"][n % 3]
        elif kind == 3:
            values[qid] = ["camhs", "social_care", "school_nurse"][: n % 3 + 1]
        elif kind == 4:
            values[qid] = grades[n % 4]
            rationales[qid] = f"The rationale for child {child}'s grade from agency {agency}."
        elif kind == 5:
            values[qid] = (date(2024, 1, 1) + timedelta(days=n % 300)).isoformat()
        elif kind == 6:
            values[qid] = n % 90
    return values, rationales


def population(size: int) -> Any:
    from audit_app.cohort.population import Population

    rows = []
    for n in range(size):
        rows.append(
            {
                "Ward number": f"W14-{1000 + n * 7:05d}",
                "Name": f"Child Number{n}",
                "Date of birth": date(2006 + n % 12, 1 + n % 12, 1 + n % 28).strftime("%d/%m/%Y"),
                "NHS number": f"999 {100 + n:03d} {4000 + n * 13:04d}",
            }
        )
    return Population(columns=tuple(rows[0]), rows=tuple(rows), source_name="bench.csv")


@dataclass
class Built:
    audit_id: int
    first_return_id: int
    lead_email: str
    reviewer_email: str
    panel_email: str
    seconds: float
    panel: dict[str, int] = field(default_factory=dict)
    """Ids the panel's pages name: a child, a theme, a survey."""


def build(session: Session, children: int, say: Callable[[str], None]) -> Built:
    from audit_app.accounts.memberships import add_membership
    from audit_app.accounts.users import create_user
    from audit_app.agencies.register import save_agency
    from audit_app.audits.lifecycle import move, set_agencies, set_panel
    from audit_app.cohort.population import ColumnMapping
    from audit_app.cohort.selection import draw_cohort, save_mapping, store_population
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

    started = time.perf_counter()
    sectors = list(AgencySector)
    agencies = [
        save_agency(
            session,
            None,
            name=f"Agency {n + 1:02d}",
            short_name=f"AG{n + 1:02d}",
            sector=sectors[n % len(sectors)],
            contact_email=f"agency{n + 1}@example.org",
        )
        for n in range(AGENCIES)
    ]
    lead = create_user(
        session,
        email="lead@example.org",
        full_name="Lead Person",
        password=PASSWORD,
        role=Role.ADMIN,
        agency_id=None,
        audit_id=None,
        is_chair=False,
    )
    add_membership(session, lead, Role.AUDIT_LEAD)
    reviewers = [
        create_user(
            session,
            email=f"reviewer{n + 1}@example.org",
            full_name=f"Reviewer {n + 1}",
            password=PASSWORD,
            role=Role.REVIEWER,
            agency_id=agency.id,
            audit_id=None,
            is_chair=False,
        )
        for n, agency in enumerate(agencies)
    ]
    panel = create_user(
        session,
        email="panel@example.org",
        full_name="Panel Chair",
        password=PASSWORD,
        role=None,
        agency_id=None,
        audit_id=None,
        is_chair=False,
    )
    version = load_template(session, template_yaml(), "bench.yaml").version
    audit = Audit(title="Children in crisis (bench)", template_version_id=version.id, lead=lead)
    audit.return_deadline = date.today() + timedelta(days=30)
    session.add(audit)
    session.flush()
    set_agencies(session, audit, [agency.id for agency in agencies])
    set_panel(session, audit, [panel.id], panel.id)
    stored = store_population(session, audit, population(max(children * 3, 100)), lead.id)
    save_mapping(
        session,
        stored,
        ColumnMapping(
            local_id="Ward number",
            name="Name",
            date_of_birth="Date of birth",
            reference_columns=("NHS number",),
        ),
    )
    draw_cohort(
        session, audit, size=children, seed="bench", filters=[], strata=None, user_id=lead.id
    )
    session.refresh(audit)
    move(session, audit, AuditStatus.COLLECTING)
    session.commit()
    for a, agency in enumerate(agencies):
        returns = list(
            session.scalars(
                select(AgencyReturn)
                .join(CohortMember)
                .where(AgencyReturn.audit_id == audit.id, AgencyReturn.agency_id == agency.id)
                .order_by(CohortMember.position)
            )
        )
        for c, agency_return in enumerate(returns):
            values, rationales = answers_for(c, a)
            answering.save_section(
                session, agency_return, agency_return.version, values, rationales, reviewers[a]
            )
            if a > 0:
                # Sent, so the panel reads it; the first agency's stay drafts for the
                # reviewer's pages (autosave, the offline workbook) to work on.
                answering.submit(session, agency_return, agency_return.version, reviewers[a])
            if a == 0:
                answering.add_chronology_entry(
                    session,
                    agency_return,
                    happened_on=date(2024, 3, 1) + timedelta(days=c),
                    what_happened=f"Seen in the emergency department ({c})",
                    agency_response="Referred to CAMHS",
                    missed_opportunity=c % 2 == 0,
                )
                if c % 5 == 0:
                    answering.raise_concern(
                        session, agency_return, f"Worried about child {c}", reviewers[a]
                    )
        session.commit()
        say(f"  agency {a + 1} of {AGENCIES}: {len(returns)} returns answered")
    first = session.scalars(
        select(AgencyReturn.id)
        .join(CohortMember)
        .where(AgencyReturn.audit_id == audit.id, AgencyReturn.agency_id == agencies[0].id)
        .order_by(CohortMember.position)
        .limit(1)
    ).one()
    panel_ids = build_panel(session, audit, panel, say)
    return Built(
        audit_id=audit.id,
        first_return_id=first,
        lead_email=lead.email,
        reviewer_email=reviewers[0].email,
        panel_email=panel.email,
        seconds=time.perf_counter() - started,
        panel=panel_ids,
    )


EVIDENCE_SOURCES = 20
EVIDENCE_ITEMS_EACH = 10  # 200 evidence items
THEMES = 30
TAGS = 2000


def build_panel(
    session: Session, audit: Any, chair: Any, say: Callable[[str], None]
) -> dict[str, int]:
    """A panel in progress (issue 11): the returns shared, 200 evidence items (one source a
    survey), 30 themes with 2,000 tags, agreed grades for half the children, findings in
    each column linked to themes, recommendations linked to findings, one meeting."""
    from audit_app.audits.lifecycle import current_members, share_with_panel
    from audit_app.models import (
        AgencyReturn,
        AgreedGrade,
        Answer,
        EvidenceItem,
        EvidenceKind,
        EvidenceSource,
        Finding,
        FindingTheme,
        PanelAttendee,
        PanelMeeting,
        Recommendation,
        RecommendationFinding,
        ReturnStatus,
        SignsOfSafetyColumn,
        Theme,
        ThemeTag,
    )

    share_with_panel(session, audit, chair.id)
    columns = list(SignsOfSafetyColumn)
    sources = []
    for n in range(EVIDENCE_SOURCES):
        kind = [EvidenceKind.PROFESSIONAL_INTERVIEW, EvidenceKind.CHILD_VOICE, EvidenceKind.OTHER][
            n % 3
        ]
        source = EvidenceSource(
            audit_id=audit.id,
            kind=kind,
            title=f"Evidence source {n + 1}",
            role="Practitioner",
            held_on=date(2024, 5, 1) + timedelta(days=n),
            participants=10 + n,
        )
        if n == 0:
            source.kind = EvidenceKind.SURVEY
            source.survey = {
                "file": "survey.csv",
                "responses": 71,
                "questions": [
                    {
                        "text": f"Survey question {q + 1}",
                        "counts": [["Yes", 40], ["No", 25], ["Not sure", 6]],
                    }
                    for q in range(8)
                ],
            }
        source.items = [
            EvidenceItem(
                audit_id=audit.id,
                column=columns[(n + i) % 3],
                position=i,
                is_quote=n % 3 == 1,
                text=f"What source {n + 1} said, point {i + 1}: children waited too long for help.",
            )
            for i in range(EVIDENCE_ITEMS_EACH)
        ]
        sources.append(source)
    session.add_all(sources)
    themes = [
        Theme(
            audit_id=audit.id,
            name=f"Theme {n + 1:02d}",
            description=f"A pattern the panel saw ({n + 1}).",
        )
        for n in range(THEMES)
    ]
    session.add_all(themes)
    session.flush()
    # Tags: mostly answers that land in a column, spread over children and agencies, and
    # every evidence item once.
    answer_ids = list(
        session.scalars(
            select(Answer.id)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .where(
                AgencyReturn.audit_id == audit.id,
                AgencyReturn.status == ReturnStatus.SUBMITTED,
                Answer.column.is_not(None),
            )
            .order_by(Answer.id)
        )
    )
    evidence_ids = [item.id for source in sources for item in source.items]
    tags = [
        ThemeTag(theme_id=themes[n % THEMES].id, evidence_item_id=item_id, tagged_by_id=chair.id)
        for n, item_id in enumerate(evidence_ids)
    ]
    step = max(1, len(answer_ids) // (TAGS - len(tags)))
    for n, answer_id in enumerate(answer_ids[::step][: TAGS - len(tags)]):
        tags.append(
            ThemeTag(
                theme_id=themes[(n * 7) % THEMES].id, answer_id=answer_id, tagged_by_id=chair.id
            )
        )
    session.add_all(tags)
    members = current_members(audit)
    session.add_all(
        AgreedGrade(
            member_id=member.id,
            question_id="q005",
            grade=["good", "requires_improvement"][n % 2],
            rationale="The panel agreed after reading every agency's return.",
            agreed_by_id=chair.id,
        )
        for n, member in enumerate(members[: len(members) // 2])
    )
    findings = []
    for n in range(12):
        finding = Finding(
            audit_id=audit.id,
            column=columns[n % 3],
            position=n // 3,
            text=f"Finding {n + 1}: across the children, help came late.",
        )
        finding.themes = [FindingTheme(theme_id=themes[(n + k) % THEMES].id) for k in range(3)]
        findings.append(finding)
    session.add_all(findings)
    session.flush()
    for n in range(6):
        recommendation = Recommendation(
            audit_id=audit.id, number=n + 1, text=f"Recommendation {n + 1}."
        )
        recommendation.findings = [
            RecommendationFinding(finding_id=findings[(n * 2 + k) % 12].id) for k in range(2)
        ]
        session.add(recommendation)
    meeting = PanelMeeting(audit_id=audit.id, held_on=date.today(), decisions="Themes agreed.")
    meeting.attendees = [
        PanelAttendee(name=f"Attendee {n + 1}", role="Safeguarding lead") for n in range(12)
    ]
    session.add(meeting)
    session.commit()
    say(
        f"  panel in progress: {len(evidence_ids)} evidence items, {THEMES} themes, "
        f"{len(tags)} tags"
    )
    return {
        "member": members[0].id,
        "theme": themes[0].id,
        "survey": sources[0].id,
        "finding": findings[0].id,
    }


# ---------------------------------------------------------------------------- measuring


@dataclass
class Figure:
    median_ms: float
    statements: int
    size_kb: float


@dataclass
class Run:
    children: int
    built: Built
    pages: dict[str, Figure] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    engine = app.extensions["audit_db"].engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", sql):
            statements.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    match = TOKEN.search(page)
    assert match, "no CSRF token on the sign-in page"
    response = client.post(
        "/sign-in", data={"csrf_token": match.group(1), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, f"{email} could not sign in"
    return client


def token_of(client: FlaskClient, url: str) -> str:
    match = TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def measure(app: Flask, request: Callable[[], Any], repeats: int, *, expect: int = 200) -> Figure:
    response = request()  # once first: what the process loads once is not counted
    assert response.status_code == expect, (response.status_code, response.request.path)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == expect, response.status_code
    with counted(app) as statements:
        response = request()
    return Figure(statistics.median(times), len(statements), len(response.data) / 1024)


def pages(built: Built) -> dict[str, tuple[str, str]]:
    """Every page that lists children, returns, answers or log entries: who asks, and where."""
    a, r = built.audit_id, built.first_return_id
    return {
        "audit page and returns matrix": ("lead", f"/audits/{a}"),
        "identities": ("lead", f"/audits/{a}/identities"),
        "draw page": ("lead", f"/audits/{a}/draw"),
        "add a child": ("lead", f"/audits/{a}/cohort/add"),
        "audit lead's view of a return": ("lead", f"/audits/{a}/returns/{r}"),
        "audit lead's home": ("lead", "/"),
        "audit log": ("lead", "/admin/audit-log"),
        "audit log, answers only": ("lead", "/admin/audit-log?record_type=answer"),
        "audit log, this audit": ("lead", f"/admin/audit-log?audit={a}"),
        "reviewer's home (task list)": ("reviewer", "/"),
        "return overview": ("reviewer", f"/returns/{r}"),
        "section page": ("reviewer", f"/returns/{r}/sections/1"),
        "check your answers": ("reviewer", f"/returns/{r}/check"),
        "chronology": ("reviewer", f"/returns/{r}/chronology"),
        "agency summary (none yet)": ("reviewer", f"/audits/{a}/summary"),
        "offline workbook download": ("reviewer", f"/audits/{a}/workbook"),
        "panel member's home": ("panel", "/"),
        **panel_pages(built),
        "urgent concerns of the audit": ("lead", f"/audits/{a}/concerns"),
    }


def panel_pages(built: Built) -> dict[str, tuple[str, str]]:
    """The panel's pages (issue 11), as its chair reads them."""
    base, ids = f"/panel/{built.audit_id}", built.panel
    return {
        "panel: overview": ("panel", f"{base}/"),
        "panel: children": ("panel", f"{base}/children"),
        "panel: one child side by side": ("panel", f"{base}/children/{ids['member']}"),
        "panel: by question": ("panel", f"{base}/questions"),
        "panel: one graded question": ("panel", f"{base}/questions/q005"),
        "panel: board": ("panel", f"{base}/board"),
        "panel: board, one child": ("panel", f"{base}/board?child={ids['member']}"),
        "panel: board, one theme": ("panel", f"{base}/board?theme={ids['theme']}"),
        "panel: evidence": ("panel", f"{base}/evidence"),
        "panel: a survey": ("panel", f"{base}/evidence/{ids['survey']}"),
        "panel: themes": ("panel", f"{base}/themes"),
        "panel: one theme": ("panel", f"{base}/themes/{ids['theme']}"),
        "panel: findings and recommendations": ("panel", f"{base}/findings"),
        "panel: edit a finding": ("panel", f"{base}/findings/{ids['finding']}"),
        "panel: meetings": ("panel", f"{base}/meetings"),
    }


def filled_workbook(raw: bytes) -> bytes:
    """Every child's sheet with one answer changed, as a reviewer fills it in offline."""
    from audit_app.workbooks.workbook import FIRST_ROW

    book = openpyxl.load_workbook(io.BytesIO(raw))
    for sheet in book.worksheets:
        for row in range(FIRST_ROW, sheet.max_row + 1):
            if sheet[f"F{row}"].value == "q002":
                sheet[f"C{row}"].value = f"Written offline on {sheet.title}"
                sheet[f"C{row}"].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_only_baseline(raw: bytes, repeats: int) -> tuple[float, int]:
    """openpyxl writing the same cells (values only) in write-only mode: median ms, cells."""
    book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    sheets = [
        (sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book
    ]
    book.close()
    cells = sum(len(row) for _, rows in sheets for row in rows)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        out = openpyxl.Workbook(write_only=True)
        for title, rows in sheets:
            sheet = out.create_sheet(title)
            for row in rows:
                sheet.append(row)
        out.save(io.BytesIO())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), cells


def read_only_baseline(raw: bytes, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        for sheet in book:
            for _row in sheet.iter_rows(values_only=True):
                pass
        book.close()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure_workbook(app: Flask, run: Run, clients: dict[str, FlaskClient], repeats: int) -> None:
    reviewer = clients["reviewer"]
    a = run.built.audit_id
    raw = reviewer.get(f"/audits/{a}/workbook").data
    download = run.pages["offline workbook download"].median_ms
    baseline, cells = write_only_baseline(raw, repeats)
    run.extra["workbook cells"] = f"{cells:,}"
    run.extra["workbook download"] = (
        f"{download:.0f} ms against {baseline:.0f} ms for openpyxl write-only: "
        f"{download / baseline:.2f} times (goal at most {WORKBOOK_GOAL})"
    )
    run.extra["_workbook_ratio"] = f"{download / baseline:.3f}"
    filled = filled_workbook(raw)
    url = f"/audits/{a}/workbook/upload"
    token = token_of(reviewer, url)

    def upload() -> Any:
        return reviewer.post(
            url,
            data={"csrf_token": token, "file": (io.BytesIO(filled), "workbook.xlsx")},
            content_type="multipart/form-data",
        )

    run.pages["workbook upload preview (POST)"] = measure(app, upload, repeats)
    read_baseline = read_only_baseline(filled, repeats)
    preview_ms = run.pages["workbook upload preview (POST)"].median_ms
    run.extra["workbook upload preview"] = (
        f"{preview_ms:.0f} ms against {read_baseline:.0f} ms for openpyxl read-only reading it: "
        f"{preview_ms / read_baseline:.2f} times"
    )
    preview = upload().get_data(as_text=True)
    parts = UPLOAD_PART.findall(preview)
    confirm_token = TOKEN.search(preview)
    if not parts or confirm_token is None:
        run.extra["workbook confirm"] = "not measured: the preview offered nothing to save"
        return
    with counted(app) as statements:
        started = time.perf_counter()
        response = reviewer.post(
            f"/audits/{a}/workbook/confirm",
            data={"csrf_token": confirm_token.group(1), "upload": parts},
            content_type="multipart/form-data",
        )
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, response.status_code
    run.pages["workbook confirm (POST), once"] = Figure(elapsed, len(statements), 0)


def measure_autosave(app: Flask, run: Run, clients: dict[str, FlaskClient], repeats: int) -> None:
    """An autosave of one answer: its time, and how long it holds SQLite's write lock."""
    from audit_app.core.db import WRITE_LOCK_TAKEN_AT

    reviewer = clients["reviewer"]
    section = f"/returns/{run.built.first_return_id}/sections/1"
    held: list[float] = []
    engine = app.extensions["audit_db"].engine

    def on_commit(connection: Any) -> None:
        taken = connection.info.get(WRITE_LOCK_TAKEN_AT)
        if taken is not None:
            held.append((time.perf_counter() - taken) * 1000)

    page = reviewer.get(section).get_data(as_text=True)
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    counter = iter(range(10_000))

    timings = []
    event.listen(engine, "commit", on_commit)
    try:
        for _ in range(repeats + 1):
            version = VERSION.search(reviewer.get(section).get_data(as_text=True))
            started = time.perf_counter()
            response = reviewer.post(
                f"{section}/autosave",
                data={
                    "csrf_token": token,
                    "version": version.group(1) if version else "",
                    "q002": f"Typed while the bench runs ({next(counter)})",
                },
            )
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                run.extra["autosave"] = f"not measured: HTTP {response.status_code}"
                return
    finally:
        event.remove(engine, "commit", on_commit)
    timings, lock = timings[1:], held[-repeats:]
    run.extra["autosave"] = (
        f"{statistics.median(timings):.1f} ms median, holding the write lock "
        f"{statistics.median(lock):.1f} ms"
        if lock
        else f"{statistics.median(timings):.1f} ms"
    )


def form_fields(html: str, button: str) -> MultiDict[str, str]:
    """What a browser sends for the form holding the button named ``button``, untouched."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    pressed = soup.find("button", attrs={"name": "action", "value": button})
    assert pressed is not None, f"no {button!r} button"
    form = pressed.find_parent("form")
    fields: list[tuple[str, str]] = []
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.get("type") in ("submit", "button"):
            continue
        if element.name == "textarea":
            fields.append((name, element.text))
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            fields.append((name, chosen.get("value", "") if chosen else ""))
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        else:
            fields.append((name, element.get("value", "")))
    return MultiDict([*fields, ("action", button)])


def measure_summary(app: Flask, run: Run, clients: dict[str, FlaskClient], repeats: int) -> None:
    """The agency summary once drafted: the page, saving it untouched, and the lead's view of
    every agency's sent summary."""
    reviewer, a = clients["reviewer"], run.built.audit_id
    url = f"/audits/{a}/summary"
    page = reviewer.get(url).get_data(as_text=True)
    started = time.perf_counter()
    response = reviewer.post(url, data=form_fields(page, "draft"))
    run.extra["agency summary draft made"] = f"{(time.perf_counter() - started) * 1000:.0f} ms"
    assert response.status_code == 302, response.status_code
    run.pages["agency summary (drafted)"] = measure(app, lambda: reviewer.get(url), repeats)
    times, statements = [], 0
    for n in range(repeats + 1):
        fields = form_fields(reviewer.get(url).get_data(as_text=True), "save")
        with counted(app) as sql:
            started = time.perf_counter()
            response = reviewer.post(url, data=fields)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, "saving the draft untouched was refused"
        if n:
            times.append(elapsed)
            statements = len(sql)
    run.pages["agency summary saved untouched (POST)"] = Figure(
        statistics.median(times), statements, 0
    )
    fields = form_fields(reviewer.get(url).get_data(as_text=True), "send")
    assert reviewer.post(url, data=fields).status_code == 302, "the summary could not be sent"
    lead = clients["lead"]
    run.pages["agency summaries (lead)"] = measure(
        app, lambda: lead.get(f"/audits/{a}/summaries"), repeats
    )


def measure_older_log_page(
    app: Flask, run: Run, clients: dict[str, FlaskClient], repeats: int
) -> None:
    lead = clients["lead"]
    older = re.search(
        r'href="([^"]*older=[^"]*)"', lead.get("/admin/audit-log").get_data(as_text=True)
    )
    assert older, "no older entries in the log"
    url = older.group(1).replace("&amp;", "&")
    run.pages["audit log, older entries"] = measure(app, lambda: lead.get(url), repeats)


def _peak_mib(make: Callable[[], Any]) -> float:
    """The most memory Python held while ``make`` ran (tracemalloc), in MiB."""
    tracemalloc.start()
    try:
        make()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024)


def measure_exports(app: Flask, run: Run, repeats: int) -> None:
    """The audit workbook against openpyxl writing the same cells bare in write-only mode,
    the findings report, the tracker and the meeting pack: time and peak memory (issue 13)."""
    from datetime import UTC, datetime

    from audit_app.audits.models import Audit
    from audit_app.exports.action_tracker import build_action_tracker
    from audit_app.exports.audit_workbook import build_audit_workbook
    from audit_app.exports.common import Made
    from audit_app.exports.findings_report import build_findings_report
    from audit_app.exports.meeting_pack import build_meeting_pack

    database = app.extensions["audit_db"]
    made = Made("Bench", datetime.now(UTC))
    export_repeats = max(1, min(repeats, 3))

    def timed(make: Callable[[Session], Any]) -> tuple[float, Any]:
        times, result = [], None
        for _ in range(export_repeats):
            session = database.new_session()
            try:
                started = time.perf_counter()
                result = make(session)
                times.append((time.perf_counter() - started) * 1000)
            finally:
                session.close()
        return statistics.median(times), result

    def workbook(session: Session) -> bytes:
        return build_audit_workbook(session, session.get(Audit, run.built.audit_id), made)

    def report(session: Session) -> bytes:
        audit = session.get(Audit, run.built.audit_id)
        return build_findings_report(session, audit, generated_by="Bench", now=made.at)

    def peak(make: Callable[[Session], Any]) -> float:
        session = database.new_session()
        try:
            return _peak_mib(lambda: make(session))
        finally:
            session.close()

    workbook_ms, raw = timed(workbook)
    baseline_ms, cells = write_only_baseline(raw, export_repeats)
    run.extra["audit workbook"] = (
        f"{workbook_ms:.0f} ms for {cells:,} cells ({len(raw) / 1024:.0f} KB), against "
        f"{baseline_ms:.0f} ms for openpyxl writing the same cells bare in write-only mode: "
        f"{workbook_ms / baseline_ms:.2f} times (goal: at most {EXPORT_GOAL}); peak memory "
        f"{peak(workbook):.0f} MiB"
    )
    run.extra["_export_ratio"] = f"{workbook_ms / baseline_ms:.3f}"
    report_ms, document = timed(report)
    run.extra["findings report"] = (
        f"{report_ms:.0f} ms ({len(document) / 1024:.0f} KB); peak memory {peak(report):.0f} MiB"
    )
    tracker_ms, tracker = timed(lambda session: build_action_tracker(session, made))
    pack_ms, pack = timed(
        lambda session: build_meeting_pack(session, since=None, generated_by="Bench", now=made.at)
    )
    run.extra["action tracker, meeting pack"] = (
        f"{tracker_ms:.0f} ms ({len(tracker) / 1024:.0f} KB), {pack_ms:.0f} ms "
        f"({len(pack) / 1024:.0f} KB)"
    )


def run_size(children: int, repeats: int, workdir: Path, say: Callable[[str], None]) -> Run:
    from audit_app import create_app
    from audit_app.core.migrate import upgrade

    url = f"sqlite:///{workdir / f'bench-{children}.sqlite'}"
    upgrade(url)
    app = create_app({"AUDIT_DATABASE_URL": url, "TESTING": True})
    database = app.extensions["audit_db"]
    say(f"Building an audit of {children} children x {AGENCIES} agencies x {QUESTIONS} questions")
    session = database.new_session(actor_label="bench")
    try:
        built = build(session, children, say)
    finally:
        session.close()
    say(f"  built in {built.seconds:.0f} s")
    run = Run(children, built)
    clients = {
        "lead": signed_in(app, built.lead_email),
        "reviewer": signed_in(app, built.reviewer_email),
        "panel": signed_in(app, built.panel_email),
    }
    for name, (who, url) in pages(built).items():
        client = clients[who]
        run.pages[name] = measure(app, lambda client=client, url=url: client.get(url), repeats)
    a = built.audit_id
    token = token_of(clients["lead"], f"/audits/{a}")
    run.pages["verify draw (POST)"] = measure(
        app,
        lambda: clients["lead"].post(f"/audits/{a}/draw/verify", data={"csrf_token": token}),
        repeats,
    )
    measure_older_log_page(app, run, clients, repeats)
    measure_summary(app, run, clients, repeats)
    measure_workbook(app, run, clients, repeats)
    measure_autosave(app, run, clients, repeats)
    say("  exports")
    measure_exports(app, run, repeats)
    return run


def report(runs: list[Run]) -> int:
    small, big = runs[0], runs[-1]
    names = list(big.pages)
    width = max(len(name) for name in names)
    print()
    print(f"{'page':<{width}}  {'statements':>15}  {'median ms':>17}  {'KB':>7}  goal")
    print(
        f"{'':<{width}}  {small.children:>6} {big.children:>8}  "
        f"{small.children:>7} {big.children:>9}  {big.children:>7}"
    )
    misses = 0
    for name in names:
        s, b = small.pages.get(name), big.pages[name]
        same = s is not None and s.statements == b.statements
        fast = b.median_ms < PAGE_GOAL_MS
        once = name.endswith("once")
        verdict = "ok" if (same or once) and fast else "MISSED"
        if verdict != "ok":
            misses += 1
            why = []
            if not fast:
                why.append(f"over {PAGE_GOAL_MS:.0f} ms")
            if not same and not once:
                why.append("statements grow")
            verdict += " (" + ", ".join(why) + ")"
        print(
            f"{name:<{width}}  {s.statements if s else '-':>6} {b.statements:>8}  "
            f"{s.median_ms if s else 0:>7.1f} {b.median_ms:>9.1f}  {b.size_kb:>7.0f}  {verdict}"
        )
    print()
    for run in runs:
        print(f"At {run.children} children (built in {run.built.seconds:.0f} s):")
        for key, value in run.extra.items():
            if not key.startswith("_"):
                print(f"  {key}: {value}")
    ratio = float(big.extra.get("_workbook_ratio", "0"))
    if ratio > WORKBOOK_GOAL:
        misses += 1
        print(f"MISSED: the workbook download is {ratio:.2f} times write-only openpyxl")
    export_ratio = float(big.extra.get("_export_ratio", "0"))
    if export_ratio > EXPORT_GOAL:
        misses += 1
        print(f"MISSED: the audit workbook is {export_ratio:.2f} times write-only openpyxl")
    print()
    print("Every figure in goal." if not misses else f"{misses} figures missed their goal.")
    return misses


def main(argv: list[str] | None = None) -> int:
    global AGENCIES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, nargs="+", default=[10, 60])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--agencies", type=int, default=15)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    AGENCIES = args.agencies
    os.environ.setdefault("AUDIT_SECRET_KEY", "bench-secret-key-that-is-long-enough-to-use")
    os.environ["AUDIT_ENV"] = "testing"

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="audit-bench-") as workdir:
        runs = [run_size(n, args.repeats, Path(workdir), say) for n in sorted(args.children)]
    misses = report(runs)
    return 1 if misses and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
