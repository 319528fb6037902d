"""The findings report of a realistic audit: accessible (real headings, header rows that
repeat, no merged cells, every chart with a text alternative), no child's identity anywhere
in the file, the panel's words exactly as written, and LibreOffice opens it."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.actions.models import Action, ActionEvent, ActionState, ActionUpdate, UpdateStatus
from audit_app.core.models import today, utcnow
from audit_app.exports import word
from audit_app.exports.findings_report import build_findings_report, findings_report_context
from audit_app.panel.board import tag_item
from audit_app.panel.children import grade_choices, overall_question
from audit_app.panel.findings import (
    FindingDraft,
    RecommendationDraft,
    add_finding,
    add_recommendation,
)
from audit_app.panel.meetings import AttendeeDraft, MeetingDraft, record_meeting
from audit_app.panel.models import AgreedGrade, EvidenceItem, EvidenceKind, EvidenceSource
from audit_app.panel.reading import read_panel_audit
from audit_app.questionnaires.definitions import SignsOfSafetyColumn
from audit_app.returns.models import Answer
from tests.integration.panel.conftest import PanelClients
from tests.office import converted_to_pdf

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
FINDING = (
    "Schools & <families> said {{ title }} and {% if x %} were not tags;\n"
    "  a second line that starts with spaces\tand has a tab, </w:t><w:p> and 🙂"
)
RECOMMENDATION = "Tell schools first {_{ then %_} & share the plan <b>within 2 days</b>"
QUOTE = "I want someone to ask me, not my mum. “Properly” ask. & <that> is all."
SECTION_HEADINGS = [
    "Purpose and statutory context",
    "How the audit was carried out",
    "Summary grading",
    "What's working well",
    "What we are worried about",
    "What needs to happen",
    "The voice of children and young people",
    "What professionals told us",
    "Immediate concerns referred back",
    "Key findings",
    "Recommendations",
    "Action plan",
    "Appendix: how the agencies graded each question",
]


def _enrich(session: Session, panel_world: PanelClients) -> dict[str, Any]:
    """The panel's work on the world's audit: themes tagged on answers, evidence of every
    kind, a meeting, findings and recommendations with awkward words, actions; identities
    with dates of birth and references."""
    world = panel_world.world
    audit = world.audit
    panel = read_panel_audit(session, audit)
    answers = list(
        session.scalars(
            select(Answer)
            .where(Answer.return_id.in_([r.id for r in world.returns.values()]))
            .order_by(Answer.id)
        )
    )
    schools = tag_item(session, panel, "answer", answers[0].id, None, "Communication with schools",
                       None)  # fmt: skip
    tag_item(session, panel, "answer", answers[-1].id, schools.theme_id, "", None)
    interview = EvidenceSource(
        audit_id=audit.id,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        title="Interview with a designated safeguarding lead",
        role="Designated safeguarding lead",
        agency_id=world.agencies[0].id,
        held_on=date(2026, 10, 1),
    )
    interview.items = [
        EvidenceItem(audit_id=audit.id, column=SignsOfSafetyColumn.WORKING_WELL,
                     text="Learning mentors know the young people well."),
        EvidenceItem(audit_id=audit.id, column=SignsOfSafetyColumn.WORRIED_ABOUT,
                     text="We are rarely told of an admission."),
    ]  # fmt: skip
    event = EvidenceSource(
        audit_id=audit.id,
        kind=EvidenceKind.CHILD_VOICE,
        title="Young people's engagement event",
        held_on=date(2026, 10, 8),
        participants=40,
        notes="An online event.\nRun by the charity.",
    )
    event.items = [
        EvidenceItem(audit_id=audit.id, column=SignsOfSafetyColumn.NEEDS_TO_HAPPEN, text=QUOTE,
                     is_quote=True),
    ]  # fmt: skip
    survey = EvidenceSource(
        audit_id=audit.id,
        kind=EvidenceKind.SURVEY,
        title="Young people's survey",
        participants=35,
        survey={
            "file": "survey.csv",
            "responses": 35,
            "questions": [
                {
                    "text": "Where would you like support?",
                    "answered": 33,
                    "written": False,
                    "counts": [["At school", 20], ["At home", 13]],
                },
            ],
        },
    )
    survey.items = [
        EvidenceItem(audit_id=audit.id, column=SignsOfSafetyColumn.WORRIED_ABOUT,
                     text="12 of 35 do not know who to talk to.", count=12),
    ]  # fmt: skip
    session.add_all([interview, event, survey])
    session.flush()
    record_meeting(
        session,
        audit,
        MeetingDraft(
            date(2026, 11, 2),
            [
                AttendeeDraft("Sam Chair", "Panel chair", None),
                AttendeeDraft("Pat Police", "Detective sergeant", world.agencies[2].id),
            ],
            "Agreed the themes.",
        ),
    )
    worry = add_finding(
        session,
        audit,
        FindingDraft("worried_about", FINDING, [schools.theme_id], [interview.items[1].id]),
    )
    add_finding(session, audit, FindingDraft("working_well", "Crisis help came quickly."))
    recommendation = add_recommendation(
        session, audit, RecommendationDraft(RECOMMENDATION, [worry.id])
    )
    action = Action(
        audit_id=audit.id,
        recommendation_id=recommendation.id,
        description="Agree a protocol & <tell> schools of an admission",
        success_measure="9 of 10 schools told within 2 days at the re-audit",
        lead_agency_id=world.agencies[0].id,
        owner_id=world.reviewer.id,
        target_date=today() + timedelta(days=60),
        state=ActionState.OPEN,
    )
    draft = Action(
        audit_id=audit.id,
        recommendation_id=recommendation.id,
        description="A draft action",
        state=ActionState.DRAFT,
        invitee_name="Jo Bloggs",
        invitee_email="jo@example.org",
    )
    session.add_all([action, draft])
    session.flush()
    session.add(ActionEvent(action_id=action.id, at=utcnow() - timedelta(days=10),
                            from_state=ActionState.DRAFT, to_state=ActionState.OPEN))  # fmt: skip
    session.add(ActionUpdate(action_id=action.id, status=UpdateStatus.AT_RISK,
                             progress="Two schools of five agreed"))  # fmt: skip
    overall = overall_question(panel.definition)
    assert overall is not None
    first_grade = grade_choices(overall, panel.scales)[0]
    session.add(AgreedGrade(member_id=world.members[0].id, question_id=overall.id,
                            grade=first_grade[0], rationale="Agreed at the panel"))  # fmt: skip
    secrets = []
    for n, member in enumerate(world.members):
        assert member.identity is not None
        member.identity.date_of_birth = date(2011, 4, 20 + n)
        member.identity.references = {"NHS number": f"943 476 59{n}9", "police": f"PX{n}7731"}
        secrets += [
            member.identity.full_name,
            *member.identity.full_name.split(),
            member.identity.local_id,
            f"943 476 59{n}9",
            f"PX{n}7731",
            f"2011-04-{20 + n}",
            f"{20 + n} April 2011",
            f"{20 + n}/04/2011",
        ]
    session.flush()
    return {"finding": worry, "recommendation": recommendation, "action": action,
            "secrets": secrets, "first_grade": first_grade[1]}  # fmt: skip


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    """What the module's first test built, for the others (each test's data is rolled back,
    so the report is built once, with the data it had then)."""
    return {}


@pytest.fixture
def report(session: Session, panel_world: PanelClients, made: dict[str, Any]) -> dict[str, Any]:
    if "docx" not in made:
        enriched = _enrich(session, panel_world)
        audit = panel_world.world.audit
        context, charts = findings_report_context(
            session, audit, generated_by="Lead Person", now=NOW, partnership="Testshire SCP"
        )
        made.update(
            enriched,
            finding_text=enriched["finding"].text,
            recommendation_text=enriched["recommendation"].text,
            context=context,
            charts=charts,
            docx=build_findings_report(
                session, audit, generated_by="Lead Person", now=NOW, partnership="Testshire SCP"
            ),
        )
    return made


def _xml_parts(docx: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        }


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def test_the_context_is_plain_data_with_the_known_fields(report: dict[str, Any]) -> None:
    context = report["context"]
    assert set(context) | {"charts"} == word.KNOWN_FIELDS["findings_report"]
    assert _plain(context)
    assert context["concerns"]["raised"] == 1 and context["concerns"]["dealt_with"] == 1
    assert context["interview_count"] == 1 and context["voice_count"] == 2
    assert [t["name"] for t in context["themes"]] == ["Communication with schools"]
    assert context["themes"][0]["tagged"] == 2
    assert [a["description"] for a in context["actions"]] == [
        "Agree a protocol & <tell> schools of an admission"
    ]
    assert context["draft_actions"] == 1
    assert context["actions"][0]["rag"] == "Amber"
    assert len(context["distributions"]) == len(report["charts"]) >= 1
    assert all(d["chart"] in report["charts"] for d in context["distributions"])
    assert context["returns"]["no_involvement"] == 1  # the police knew one child not


def test_the_panels_agreed_grades_are_counted(
    report: dict[str, Any], panel_world: PanelClients
) -> None:
    agreed = report["context"]["agreed_grades"]
    children = len(panel_world.world.members)
    assert (agreed["agreed"], agreed["children"]) == (1, children)
    assert {c["name"]: c["children"] for c in agreed["counts"]}[report["first_grade"]] == 1
    assert sum(c["children"] for c in agreed["counts"]) == 1
    text = "\n".join(p.text for p in Document(io.BytesIO(report["docx"])).paragraphs)
    assert f"The panel agreed a grade for 1 of the {children} children" in text


def test_headings_tables_and_pictures_are_accessible(report: dict[str, Any]) -> None:
    document = Document(io.BytesIO(report["docx"]))
    styles = {p.text: p.style.name for p in document.paragraphs if p.text}
    assert document.paragraphs[0].style.name == "Title"
    for heading in SECTION_HEADINGS:
        assert styles.get(heading) == "Heading 1", heading
    assert any(name == "Heading 2" for name in styles.values())
    assert document.tables
    for table in document.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
        assert len(table.rows) >= 2  # a header and at least one row of figures
    xml = _xml_parts(report["docx"])["word/document.xml"]
    assert "gridSpan" not in xml and "vMerge" not in xml and "hMerge" not in xml
    pictures = document.element.body.findall(".//" + qn("wp:docPr"))
    assert len(pictures) == len(report["charts"])
    for picture in pictures:
        assert (picture.get("descr") or "").strip()
    alts = sorted(picture.get("descr") for picture in pictures)
    assert alts == sorted(chart.alt for chart in report["charts"].values())
    assert "{{" not in xml.replace("{{ title }}", "") and "{%" not in xml.replace("{% if x %}", "")


def test_no_child_identity_is_anywhere_in_the_file(report: dict[str, Any]) -> None:
    parts = _xml_parts(report["docx"])
    everything = "\n".join(parts.values())
    for secret in report["secrets"]:
        assert secret not in everything, secret
    assert "Amelia" not in everything  # the urgent concern's words: counts only
    assert "Secret worry" not in everything


def test_the_panels_words_come_back_exactly(report: dict[str, Any]) -> None:
    document = Document(io.BytesIO(report["docx"]))
    texts = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert report["finding_text"] == FINDING.strip()
    assert report["finding_text"] in texts  # What we are worried about
    assert report["finding_text"] not in cells  # said once, not again in Key findings
    assert "What are we worried about 1" in cells  # Key findings: from findings to recommendations
    assert f"Recommendation 1. {RECOMMENDATION}" in texts
    assert f"“{QUOTE}”" in texts
    firsts = [
        c.paragraphs[0].text for table in document.tables for r in table.rows for c in r.cells
    ]
    assert "Agree a protocol & <tell> schools of an admission" in firsts  # the action plan
    assert "An online event.\nRun by the charity." in texts


def test_libreoffice_opens_the_report_and_a_partnerships_own_template(
    report: dict[str, Any], session: Session, panel_world: PanelClients, tmp_path: Path
) -> None:
    own = io.BytesIO()
    document = Document()
    document.add_heading("{{ title }}", 0)
    document.add_paragraph("Our own words for {{ partnership }}.")
    document.add_paragraph("{%p for r in recommendations %}")
    document.add_paragraph("{{ r.number }}: {{ r.text }}")
    document.add_paragraph("{%p endfor %}")
    document.save(own)
    assert word.check_report_template("findings_report", own.getvalue()) == []
    custom = build_findings_report(
        session,
        panel_world.world.audit,
        generated_by="Lead",
        now=NOW,
        template=own.getvalue(),
        partnership="Testshire SCP",
    )
    texts = [p.text for p in Document(io.BytesIO(custom)).paragraphs]
    assert "Our own words for Testshire SCP." in texts
    shipped = tmp_path / "findings-report.docx"
    shipped.write_bytes(report["docx"])
    own_path = tmp_path / "own-template-report.docx"
    own_path.write_bytes(custom)
    pdfs = converted_to_pdf([shipped, own_path], tmp_path / "pdf")
    assert pdfs[0].stat().st_size > pdfs[1].stat().st_size
