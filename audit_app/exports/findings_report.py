"""The findings report of an audit (Word, from an editable template): what the partnership
publishes once the panel has met.

The context is plain data (strings, numbers, lists of dicts), built from the panel's own
readings (the same figures its pages show), so a template sees nothing it should not:
children appear only by their codes; identities (cohort/identities) are never read here.
Its top-level names are ``word.KNOWN_FIELDS["findings_report"]``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from audit_app.actions.dashboard import row_of
from audit_app.actions.models import Action
from audit_app.actions.plan import actions_of
from audit_app.actions.states import ActionState
from audit_app.audits.models import Audit, AuditStatus
from audit_app.charts import Chart, bar_chart
from audit_app.cohort.models import CohortMember
from audit_app.cohort.sampling import METHOD_STRATIFIED
from audit_app.cohort.selection import current_draw
from audit_app.core.models import PARTNERSHIP_TIME_ZONE
from audit_app.exports.word import render_docx, shipped_template
from audit_app.panel.children import grade_choices, list_children
from audit_app.panel.evidence import INTERVIEW_PROMPTS
from audit_app.panel.findings import COLUMN_ORDER, findings_page
from audit_app.panel.models import EvidenceKind, EvidenceSource, PanelMeeting
from audit_app.panel.overview import overview
from audit_app.panel.questions import (
    QuestionSummary,
    by_section,
    compare,
    earlier_audits,
)
from audit_app.panel.reading import PanelAudit, read_panel_audit
from audit_app.panel.themes import themes_page
from audit_app.questionnaires.answer_types import answer_type

KIND = "findings_report"
VOICE_KINDS = (EvidenceKind.CHILD_VOICE, EvidenceKind.SURVEY)


def words_date(value: date | datetime | None) -> str:
    """A date as the report writes it (1 March 2026); a time in the partnership's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARTNERSHIP_TIME_ZONE).date() if value.tzinfo else value.date()
    return f"{value:%-d %B %Y}"


def today_of(now: datetime) -> date:
    return now.astimezone(PARTNERSHIP_TIME_ZONE).date() if now.tzinfo else now.date()


def counted(number: int, one: str, many: str | None = None) -> str:
    """ "1 child", "3 children"."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


def joined(words: list[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- The parts of the report ---------------------------------------------------------------------


def _period(audit: Audit) -> str:
    if audit.period_start and audit.period_end:
        return f"{words_date(audit.period_start)} to {words_date(audit.period_end)}"
    if audit.period_start:
        return f"from {words_date(audit.period_start)}"
    if audit.period_end:
        return f"up to {words_date(audit.period_end)}"
    return "Not recorded"


def _cohort(session: Session, audit: Audit, panel: PanelAudit) -> dict[str, Any]:
    draw = current_draw(session, audit)
    # Codes and counts only: the members' identities are never loaded.
    added, removed = session.execute(
        select(
            func.count(CohortMember.added_by_hand_reason),
            func.count(CohortMember.removed_at),
        ).where(CohortMember.audit_id == audit.id)
    ).one()
    return {
        "size": len(panel.members),
        "drawn": draw is not None,
        "method": (
            "a stratified random sample"
            if draw is not None and draw.method == METHOD_STRATIFIED
            else "a simple random sample"
        ),
        "seed": draw.seed if draw else "",
        "population_size": draw.population_size if draw else 0,
        "fingerprint": draw.population_fingerprint if draw else "",
        "drawn_on": words_date(draw.drawn_at) if draw else "",
        "added_by_hand": added or 0,
        "removed": removed or 0,
    }


def _sources(session: Session, audit: Audit) -> list[EvidenceSource]:
    return list(
        session.scalars(
            select(EvidenceSource)
            .where(EvidenceSource.audit_id == audit.id)
            .options(selectinload(EvidenceSource.items), selectinload(EvidenceSource.agency))
            .order_by(EvidenceSource.held_on.nulls_last(), EvidenceSource.id)
        )
    )


def _voice(sources: list[EvidenceSource]) -> list[dict[str, Any]]:
    found = []
    for source in sources:
        if source.kind not in VOICE_KINDS:
            continue
        about = [source.kind.label]
        if source.held_on:
            about.append(f"held on {words_date(source.held_on)}")
        if source.participants:
            about.append(f"{counted(source.participants, 'young person', 'young people')} "
                         "took part")  # fmt: skip
        survey = []
        for question in (source.survey or {}).get("questions", []):
            answered = int(question.get("answered") or 0)
            answers = [
                {"answer": str(answer), "count": int(count)}
                for answer, count in question.get("counts") or []
            ]
            survey.append(
                {
                    "question": str(question.get("text") or ""),
                    "answered": (
                        f"{answered}" if answers else f"{answered} (answers written, not counted)"
                    ),
                    "answers": answers,
                }
            )
        found.append(
            {
                "title": source.title,
                "about": ", ".join(about) + ".",
                "notes": source.notes or "",
                "quotes": [item.text for item in source.items if item.is_quote],
                "points": [{"text": item.text} for item in source.items if not item.is_quote],
                "survey": [q for q in survey if q["answers"]],
            }
        )
    return found


def _interviews(sources: list[EvidenceSource]) -> list[dict[str, Any]]:
    found = []
    for source in sources:
        if source.kind is not EvidenceKind.PROFESSIONAL_INTERVIEW:
            continue
        about = [source.role, source.agency.name if source.agency else ""]
        if source.held_on:
            about.append(f"interviewed on {words_date(source.held_on)}")
        order = {column: n for n, column in enumerate(COLUMN_ORDER)}
        items = sorted(source.items, key=lambda i: (order.get(i.column.value, 9), i.position))
        found.append(
            {
                "title": source.title,
                "about": "; ".join(a for a in about if a) + ".",
                "points": [
                    {"prompt": INTERVIEW_PROMPTS.get(item.column.value, ""), "text": item.text}
                    for item in items
                ],
            }
        )
    return found


def _meetings(session: Session, audit: Audit) -> list[dict[str, Any]]:
    meetings = session.scalars(
        select(PanelMeeting)
        .where(PanelMeeting.audit_id == audit.id)
        .options(selectinload(PanelMeeting.attendees))
        .order_by(PanelMeeting.held_on, PanelMeeting.id)
    )
    found = []
    for meeting in meetings:
        # Professionals by role and agency: a published report need not name them.
        attended = []
        agencies: list[str] = []
        for person in meeting.attendees:
            agency = person.agency.short_name or person.agency.name if person.agency else ""
            role = person.role or "Panel member"
            attended.append(f"{role} ({agency})" if agency else role)
            if person.agency and person.agency.name not in agencies:
                agencies.append(person.agency.name)
        found.append(
            {
                "held_on": words_date(meeting.held_on),
                "attended": f"{counted(len(attended), 'person', 'people')}: " + "; ".join(attended),
                "agencies": ", ".join(agencies) or "None recorded",
            }
        )
    return found


def _distribution(summary: QuestionSummary, scales: dict[str, Any]) -> tuple[list, int]:
    """Each possible answer of a graded question with how many gave it (the registry says the
    answers, in their own order; gaps in knowledge are shown as answers too)."""
    question = summary.question
    counts = summary.counts or {}
    choices = answer_type(question).choices(question, scales) or []
    rows = [{"answer": choice.label, "count": counts.get(choice.value, 0)} for choice in choices]
    listed = {choice.value for choice in choices}
    rows += [{"answer": str(v), "count": n} for v, n in counts.items() if v not in listed and n]
    return rows, sum(row["count"] for row in rows)


def _grading(
    session: Session, panel: PanelAudit
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Chart], str]:
    sections = by_section(session, panel)
    graded = [q for section in sections for q in section.questions if q.graded]
    earlier = earlier_audits(session, panel.audit)
    then: dict[str, Any] = {}
    earlier_title = ""
    if earlier and graded:
        earlier_title = earlier[0].title
        for comparison in compare(
            session, panel, earlier[0], {q.question.id: q.aggregate for q in graded}
        ):
            then[comparison.question.id] = comparison
    then_missing = "Not asked then" if earlier else "No earlier audit"
    grading = []
    distributions = []
    charts: dict[str, Chart] = {}
    section_of = {q.question.id: s.section.title for s in sections for q in s.questions}
    for summary in graded:
        assert summary.share is not None
        comparison = then.get(summary.question.id)
        grading.append(
            {
                "number": summary.number,
                "question": summary.question.text,
                "now": summary.share.words,
                "then": comparison.then.words if comparison else then_missing,
                "change": comparison.change_words if comparison else "Not compared",
            }
        )
        rows, total = _distribution(summary, panel.scales)
        key = f"question_{summary.number}"
        short = f"Question {summary.number}"
        chart = bar_chart(
            short,
            [row["answer"] for row in rows],
            {"Answers": [row["count"] for row in rows]},
            value_label="Number of answers",
        )
        # The heading above the chart gives the question; the text alternative gives it too.
        charts[key] = replace(
            chart, alt=chart.alt.replace(short, f"{short}: {summary.question.text}", 1)
        )
        distributions.append(
            {
                "number": summary.number,
                "question": summary.question.text,
                "section": section_of.get(summary.question.id, ""),
                "chart": key,
                "answers": rows,
                "total": total,
            }
        )
    return grading, distributions, charts, earlier_title


def _findings(session: Session, audit: Audit) -> dict[str, Any]:
    page = findings_page(session, audit)
    by_column: dict[str, list[dict[str, Any]]] = {}
    table = []
    label_of: dict[int, str] = {}
    for column in COLUMN_ORDER:
        by_column[column] = []
        for row in page.columns[column]:
            label = page.finding_label(row)
            label_of[row.finding.id] = label
            support = []
            if row.theme_names:
                support.append(f"Themes: {', '.join(row.theme_names)}.")
            if row.evidence:
                support.append(f"Supported by {counted(len(row.evidence), 'evidence item')}.")
            numbers = sorted(set(row.recommendation_numbers))
            by_column[column].append(
                {"label": label, "text": row.finding.text, "support": " ".join(support)}
            )
            table.append(
                {
                    "label": label,
                    "text": row.finding.text,
                    "support": " ".join(support),
                    "themes": ", ".join(row.theme_names) or "None",
                    "recommendations": ", ".join(str(n) for n in numbers)
                    or ("None needed" if column == "working_well" else "None yet"),
                }
            )
    recommendations = []
    for rec_row in page.recommendations:
        recommendation = rec_row.recommendation
        details = []
        labels = [label_of[f.finding.id] for f in rec_row.findings if f.finding.id in label_of]
        if labels:
            details.append(f"Answers: {joined(labels)}.")
        if recommendation.re_audit_by:
            details.append(f"To be re-audited by {words_date(recommendation.re_audit_by)}.")
        recommendations.append(
            {
                "number": recommendation.number,
                "text": recommendation.text,
                "details": " ".join(details),
            }
        )
    numbers = {row.recommendation.id: row.recommendation.number for row in page.recommendations}
    return {
        **by_column,
        "findings": table,
        "recommendations": recommendations,
        "numbers": numbers,
    }


def action_row(action: Action, today: date, recommendation_number: int | None) -> dict[str, Any]:
    """One action as the reports show it (plain data)."""
    row = row_of(action, today)
    return {
        "recommendation": recommendation_number if recommendation_number is not None else "",
        "description": action.description,
        "success_measure": action.success_measure or "Not set",
        "lead_agency": action.lead_agency.name if action.lead_agency else "None",
        "owner": action.owner_words,
        "target_date": words_date(action.target_date) or "Not set",
        "state": action.state.label,
        "rag": row.rag.label if row.rag else "Not rated",
        "days_overdue": row.days_overdue,
    }


def _actions(
    session: Session, audit: Audit, today: date, numbers: dict[int, int]
) -> tuple[list[dict[str, Any]], int]:
    actions = actions_of(session, audit.id)
    shown = [a for a in actions if a.state is not ActionState.DRAFT]
    shown.sort(key=lambda a: (numbers.get(a.recommendation_id, 0), a.id))
    drafts = len(actions) - len(shown)
    return [action_row(a, today, numbers.get(a.recommendation_id)) for a in shown], drafts


def _concerns(raised: int, dealt_with: int) -> dict[str, Any]:
    if not raised:
        summary = "No reviewer raised an immediate concern about a child's safety during the audit."
    else:
        summary = (
            f"Reviewers raised {counted(raised, 'immediate concern')} about a child's safety "
            f"during the audit. Each was referred back to the agencies responsible at once; "
            f"{dealt_with} {'has' if dealt_with == 1 else 'have'} been recorded as dealt with"
            + (f" and {raised - dealt_with} {'is' if raised - dealt_with == 1 else 'are'} "
               "still open." if raised > dealt_with else ".")
        )  # fmt: skip
    return {
        "raised": raised,
        "dealt_with": dealt_with,
        "open": raised - dealt_with,
        "summary": summary,
    }


# --- The report ----------------------------------------------------------------------------------


SETTLED = frozenset(
    {AuditStatus.PANEL, AuditStatus.ACTION_PLANNING, AuditStatus.MONITORING, AuditStatus.CLOSED}
)


def _provisional(audit: Audit, outstanding: int, sent: int) -> str:
    """Why the report's figures may still change (empty when they will not): the audit has
    not reached its panel, or returns are still to come."""
    waiting = (
        f" {counted(outstanding, 'return')} of {outstanding + sent} had not been sent."
        if outstanding
        else ""
    )
    if audit.status not in SETTLED:
        return (
            f"this report was made while the audit was at the stage “{audit.status.label}”."
            f"{waiting} Its figures will change as the audit goes on."
        )
    if outstanding:
        return f"{waiting.strip()} The figures count only the returns that were sent."
    return ""


def _agreed_grades(session: Session, panel: PanelAudit) -> dict[str, Any]:
    """How many children the panel gave each grade (on the question it agrees), in the
    scale's order, and how many it has not graded yet."""
    listing = list_children(session, panel)
    question = listing.overall
    if question is None:
        return {"question": "", "agreed": 0, "children": len(listing.rows), "counts": []}
    given = Counter(row.agreed for row in listing.rows if row.agreed)
    counts = [
        {"name": label, "children": given.get(label, 0)}
        for _value, label in grade_choices(question, panel.scales)
    ]
    return {
        "question": question.text,
        "agreed": sum(given.values()),
        "children": len(listing.rows),
        "counts": counts,
    }


def findings_report_context(
    session: Session,
    audit: Audit,
    *,
    generated_by: str,
    now: datetime,
    partnership: str = "",
) -> tuple[dict[str, Any], dict[str, Chart]]:
    """The findings report's fields (plain data) and its charts, by the name the template
    uses (``charts[q.chart]``)."""
    panel = read_panel_audit(session, audit)
    today = today_of(now)
    seen = overview(session, panel)
    sources = _sources(session, audit)
    grading, distributions, charts, earlier_title = _grading(session, panel)
    findings = _findings(session, audit)
    actions, drafts = _actions(session, audit, today, findings["numbers"])
    page = themes_page(session, audit, panel.definition)
    voice = _voice(sources)
    interviews = _interviews(sources)
    not_recorded = "Not recorded."
    context: dict[str, Any] = {
        "title": audit.title,
        "partnership": partnership,
        "period": _period(audit),
        "generated_on": words_date(today),
        "generated_by": generated_by,
        "status": audit.status.label,
        "theme": audit.theme or audit.title,
        "terms_of_reference": audit.terms_of_reference or not_recorded,
        "audit_question": audit.question or not_recorded,
        "scope_criteria": audit.scope_criteria or not_recorded,
        "cohort": _cohort(session, audit, panel),
        "agencies": [
            {
                "name": row.agency.name,
                "sent": row.submitted,
                "no_involvement": row.no_involvement,
                "outstanding": row.outstanding,
                "summary_sent": "Yes" if row.summary_sent_at else "No",
            }
            for row in seen.agencies
        ],
        "returns": {
            "sent": seen.returns_in,
            "no_involvement": seen.no_involvement,
            "outstanding": seen.outstanding,
            "summaries_sent": seen.summaries_sent,
        },
        "interview_count": len(interviews),
        "voice_count": len(voice),
        "voice_participants": max(
            (s.participants or 0 for s in sources if s.kind in VOICE_KINDS), default=0
        ),
        "meetings": _meetings(session, audit),
        "earlier_audit": earlier_title,
        "grading": grading,
        "provisional": _provisional(audit, seen.outstanding, seen.returns_in),
        "agreed_grades": _agreed_grades(session, panel),
        "working_well": findings["working_well"],
        "worried_about": findings["worried_about"],
        "needs_to_happen": findings["needs_to_happen"],
        "themes": [
            {
                "name": row.theme.name,
                "description": row.theme.description or "",
                "recurring": row.recurring_words + ("." if row.recurring_words else ""),
                "children": row.reach.children,
                "agencies": row.reach.agencies,
                "tagged": row.reach.items,
            }
            for row in page.rows
        ],
        "voice": voice,
        "interviews": interviews,
        "concerns": _concerns(seen.concerns.raised, seen.concerns.dealt_with),
        "findings": findings["findings"],
        "recommendations": findings["recommendations"],
        "actions": actions,
        "draft_actions": drafts,
        "distributions": distributions,
    }
    return context, charts


def build_findings_report(
    session: Session,
    audit: Audit,
    *,
    generated_by: str,
    now: datetime,
    template: bytes | None = None,
    partnership: str = "",
) -> bytes:
    """The findings report as a .docx (``template``: the partnership's own; None: the
    shipped one)."""
    context, charts = findings_report_context(
        session, audit, generated_by=generated_by, now=now, partnership=partnership
    )
    return render_docx(
        template if template is not None else shipped_template(KIND), context, charts
    )
