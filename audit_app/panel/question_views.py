"""The panel's answers by question: every question's figures, a page per question with
the distribution of its answers (a chart and its table), good or better per agency, and
the comparison with an earlier audit of the same template."""

from __future__ import annotations

from flask import Response, abort, request

from audit_app.charts import Chart, bar_chart
from audit_app.core.access import allow
from audit_app.core.roles import Role
from audit_app.core.web import db
from audit_app.panel.blueprint import blueprint
from audit_app.panel.pages import panel_audit, render_panel, svg_response
from audit_app.panel.questions import (
    Comparison,
    EarlierAudit,
    NotEligible,
    QuestionDetail,
    by_section,
    choose_earlier,
    compare,
    earlier_audits,
    question_detail,
)
from audit_app.panel.reading import PanelAudit
from audit_app.questionnaires.definitions import COLUMN_LABELS, GAP_LABELS


def _earlier(panel: PanelAudit) -> tuple[list[EarlierAudit], EarlierAudit | None]:
    """The earlier audits to compare with, and the one chosen (``?compare=<id>``): 404 for
    an audit that is not an earlier audit of the same template."""
    earlier = earlier_audits(db(), panel.audit)
    try:
        return earlier, choose_earlier(earlier, request.args.get("compare"))
    except NotEligible:
        abort(404)


@blueprint.route("/questions")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def questions(audit_id: int) -> str:
    panel = panel_audit(audit_id)
    session = db()
    sections = by_section(session, panel)
    earlier, chosen = _earlier(panel)
    comparisons: list[Comparison] = []
    if chosen is not None:
        now = {q.question.id: q.aggregate for s in sections for q in s.questions if q.graded}
        comparisons = compare(session, panel, chosen, now)
    return render_panel(
        "panel/questions.html",
        panel,
        "panel.questions",
        sections=sections,
        graded=sum(1 for s in sections for q in s.questions if q.graded),
        earlier=earlier,
        chosen=chosen,
        comparisons=comparisons,
    )


MOST_SERIES = 8
"""The chart's palette has eight colours: with more agencies, the seven with the most
answers are drawn apart and the rest together (the table beside it names every agency)."""


def distribution_chart(detail: QuestionDetail) -> Chart | None:
    """The answers down, stacked by agency (questions with set answers only)."""
    choices = detail.choices
    if not choices or not detail.summary.aggregate.answered:
        return None
    series = {
        figures.agency.short_name: [answer.by_agency[i] for answer in choices]
        for i, figures in enumerate(detail.agencies)
    }
    if len(series) > MOST_SERIES:
        ranked = sorted(series, key=lambda name: -sum(series[name]))
        kept = set(ranked[: MOST_SERIES - 1])
        rest = [name for name in series if name not in kept]
        others = [sum(series[name][i] for name in rest) for i in range(len(choices))]
        series = {name: values for name, values in series.items() if name in kept}
        series[f"Other agencies ({len(rest)})"] = others
    return bar_chart(
        f"Answers to question {detail.summary.number}",
        [answer.label for answer in choices],
        series,
        value_label="Number of answers",
        category_label="Answer",
    )


@blueprint.route("/questions/<question_id>/chart.svg")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def question_chart(audit_id: int, question_id: str) -> Response:
    """The distribution chart of a question's answers (its page shows the figures)."""
    panel = panel_audit(audit_id)
    detail = question_detail(db(), panel, question_id)
    chart = distribution_chart(detail) if detail is not None else None
    return svg_response(chart or abort(404))


@blueprint.route("/questions/<question_id>")
@allow(Role.AUDIT_LEAD, Role.PANEL)
def question(audit_id: int, question_id: str) -> str:
    panel = panel_audit(audit_id)
    session = db()
    detail = question_detail(session, panel, question_id)
    if detail is None:
        abort(404)
    earlier, chosen = _earlier(panel)
    comparison: Comparison | None = None
    if chosen is not None and detail.summary.graded:
        found = compare(session, panel, chosen, {question_id: detail.summary.aggregate})
        comparison = found[0] if found else None
    return render_panel(
        "panel/question.html",
        panel,
        "panel.questions",
        detail=detail,
        chart=distribution_chart(detail),
        earlier=earlier,
        chosen=chosen,
        comparison=comparison,
        column_labels=COLUMN_LABELS,
        gap_labels=GAP_LABELS,
    )
