"""The subgroup's meeting pack: every open action plan by state and RAG, the overdue actions,
the RAG over time with its figures, what changed since the last pack (or that this is the
first), accessible, no child's identity, and LibreOffice opens it."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState, ActionUpdate, UpdateStatus
from audit_app.exports import word
from audit_app.exports.meeting_pack import build_meeting_pack, meeting_pack_context
from audit_app.panel.findings import (
    FindingDraft,
    RecommendationDraft,
    add_finding,
    add_recommendation,
)
from tests.integration.panel.conftest import PanelClients
from tests.office import converted_to_pdf

NOW = datetime.now(UTC).replace(microsecond=0)
SINCE = NOW - timedelta(days=30)
LATE = "Train every school's safeguarding lead & <record> who came"
PROGRESS = "Half trained;\n  the rest booked\tfor {{ March }}"


def _action(session: Session, world: Any, recommendation: Any, **fields: Any) -> Action:
    action = Action(
        audit_id=world.audit.id,
        recommendation_id=recommendation.id,
        lead_agency_id=world.agencies[0].id,
        success_measure="8 of 10 leads trained",
        **fields,
    )
    session.add(action)
    session.flush()
    return action


def _plan(session: Session, panel_world: PanelClients) -> dict[str, Any]:
    """An action plan with an overdue action (moved and updated since the last pack), one on
    track opened long ago, one just added, a closed one and a draft."""
    world = panel_world.world
    finding = add_finding(session, world.audit, FindingDraft("worried_about", "Signs missed"))
    recommendation = add_recommendation(
        session, world.audit, RecommendationDraft("Help schools see early signs", [finding.id])
    )
    today = NOW.date()
    late = _action(
        session,
        world,
        recommendation,
        description=LATE,
        state=ActionState.OPEN,
        target_date=today - timedelta(days=12),
        owner_id=world.reviewer.id,
    )
    steady = _action(
        session,
        world,
        recommendation,
        description="Publish the protocol",
        state=ActionState.OPEN,
        target_date=today + timedelta(days=90),
        invitee_name="Jo Bloggs",
        invitee_email="jo@example.org",
    )
    done = _action(
        session,
        world,
        recommendation,
        description="Agree the protocol",
        state=ActionState.CLOSED,
        target_date=today - timedelta(days=40),
    )
    draft = _action(session, world, recommendation, description="A draft", state=ActionState.DRAFT)
    late.created_at = steady.created_at = done.created_at = NOW - timedelta(days=200)
    old = NOW - timedelta(days=150)
    session.add_all([
        ActionEvent(action_id=late.id, at=old, from_state=ActionState.DRAFT,
                    to_state=ActionState.OPEN, by_id=world.lead.id),
        ActionEvent(action_id=steady.id, at=old, from_state=ActionState.DRAFT,
                    to_state=ActionState.OPEN),
        ActionEvent(action_id=done.id, at=old, from_state=ActionState.DRAFT,
                    to_state=ActionState.OPEN),
        ActionEvent(action_id=done.id, at=NOW - timedelta(days=60), from_state=ActionState.OPEN,
                    to_state=ActionState.AWAITING_SIGN_OFF),
        ActionEvent(action_id=done.id, at=NOW - timedelta(days=5),
                    from_state=ActionState.AWAITING_SIGN_OFF, to_state=ActionState.CLOSED,
                    by_id=world.chair.id, reason="Seen the evidence & <agreed>"),
        ActionUpdate(action_id=late.id, status=UpdateStatus.ON_TRACK, progress="Started",
                     written_at=NOW - timedelta(days=100), author_id=world.reviewer.id),
        ActionUpdate(action_id=late.id, status=UpdateStatus.AT_RISK, progress=PROGRESS,
                     written_at=NOW - timedelta(days=3), author_id=world.reviewer.id),
    ])  # fmt: skip
    secrets = []
    for n, member in enumerate(world.members):
        assert member.identity is not None
        member.identity.references = {"NHS number": f"SECRET{member.id}REF"}
        member.identity.date_of_birth = born = date(2009, 7, 10 + n)
        secrets += [member.identity.full_name, *member.identity.full_name.split(),
                    f"SECRET{member.id}REF", member.identity.local_id, born.isoformat(),
                    born.strftime("%d/%m/%Y"), born.strftime("%-d %B %Y")]  # fmt: skip
    session.flush()
    return {"late": late, "steady": steady, "done": done, "draft": draft, "secrets": secrets}


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    return {}


@pytest.fixture
def pack(session: Session, panel_world: PanelClients, made: dict[str, Any]) -> dict[str, Any]:
    """The pack since the last one, and a first pack, built once for the module."""
    if "docx" not in made:
        made.update(_plan(session, panel_world))
        made["context"], made["charts"] = meeting_pack_context(
            session, since=SINCE, generated_by="Subgroup Member", now=NOW
        )
        made["first_context"], _ = meeting_pack_context(
            session, since=None, generated_by="Subgroup Member", now=NOW
        )
        made["docx"] = build_meeting_pack(
            session, since=SINCE, generated_by="Subgroup Member", now=NOW, partnership="Testshire"
        )
        made["first_docx"] = build_meeting_pack(
            session, since=None, generated_by="Subgroup Member", now=NOW
        )
        made["audit"] = panel_world.world.audit.title
    return made


def test_the_pack_has_the_state_of_each_plan_and_its_overdue_actions(pack: dict[str, Any]) -> None:
    context = pack["context"]
    assert set(context) | {"charts"} == word.KNOWN_FIELDS["meeting_pack"]
    ours = [plan for plan in context["plans"] if plan["audit"] == pack["audit"]]
    assert len(ours) == 1
    plan = ours[0]
    assert (plan["actions"], plan["open"], plan["closed"], plan["overdue"]) == (3, 2, 1, 1)
    assert (plan["red"], plan["no_update"], plan["complete"]) == (1, 1, 1)
    late = [row for row in context["overdue"] if row["description"] == LATE]
    assert len(late) == 1
    assert late[0]["days_overdue"] == 12
    assert late[0]["latest_update"] == f"At risk: {PROGRESS}"
    assert late[0]["audit"] == pack["audit"] and late[0]["recommendation"] == 1
    assert late[0]["owner"] == pack["late"].owner.full_name
    assert context["rag_table"][-1]["total"] == sum(
        context["rag_table"][-1][k] for k in ("red", "amber", "green", "no_update", "complete")
    )


def test_what_changed_since_the_last_pack(pack: dict[str, Any]) -> None:
    context = pack["context"]
    assert context["first_pack"] is False and context["since"]
    moves = [(m["action"], m["from_state"], m["to_state"]) for m in context["moves"]]
    assert ("Agree the protocol", "Complete, awaiting sign-off", "Closed") in moves
    assert all(m["action"] != LATE for m in context["moves"])  # opened long ago
    assert [u["progress"] for u in context["updates"] if u["action"] == LATE] == [PROGRESS]
    assert "A draft" not in [a["description"] for a in context["new_actions"]]
    assert LATE not in [a["description"] for a in context["new_actions"]]
    first = pack["first_context"]
    assert first["first_pack"] is True
    assert first["moves"] == first["updates"] == first["new_actions"] == []


def test_the_pack_is_accessible_exact_and_has_no_identity(pack: dict[str, Any]) -> None:
    for docx in (pack["docx"], pack["first_docx"]):
        document = Document(io.BytesIO(docx))
        assert document.paragraphs[0].style.name == "Title"
        headings = {p.text: p.style.name for p in document.paragraphs if p.text}
        for heading in ("The action plans", "Overdue actions", "RAG over time"):
            assert headings[heading] == "Heading 1"
        for table in document.tables:
            header = table.rows[0]._tr.trPr
            assert header is not None and header.find(qn("w:tblHeader")) is not None
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            everything = "\n".join(
                archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")
            )
        assert "gridSpan" not in everything and "vMerge" not in everything
        for secret in pack["secrets"]:
            assert secret not in everything
        pictures = document.element.body.findall(".//" + qn("wp:docPr"))
        assert [p.get("descr") for p in pictures] == [pack["charts"]["rag_over_time"].alt]
    document = Document(io.BytesIO(pack["docx"]))
    cells = [c.paragraphs[0].text for t in document.tables for r in t.rows for c in r.cells]
    assert LATE in cells
    assert PROGRESS in [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Seen the evidence & <agreed>" in cells
    first = [p.text for p in Document(io.BytesIO(pack["first_docx"])).paragraphs]
    assert "This is the first meeting pack: there is no earlier pack to compare with." in first


def test_libreoffice_opens_both_packs(pack: dict[str, Any], tmp_path: Path) -> None:
    files = []
    for name in ("docx", "first_docx"):
        path = tmp_path / f"meeting-pack-{name}.docx"
        path.write_bytes(pack[name])
        files.append(path)
    assert len(converted_to_pdf(files, tmp_path / "pdf")) == 2
