"""The board's plain rules: where a group of answers lands (columns as stored, sub-headings
from the registry, gaps apart), which filters an address keeps, which kinds of item a filter
leaves out, the pager's page numbers and the grouping of a page by sub-heading."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from audit_app.panel.board import (
    _ANSWERED,
    BoardColumn,
    BoardFilters,
    BoardItem,
    filter_choices,
    page_numbers,
    place,
    read_filters,
)
from audit_app.panel.reading import PanelAudit
from audit_app.questionnaires.definitions import (
    BUILT_IN_SCALES,
    AuditTemplateDefinition,
    Choice,
    Question,
    Section,
)

SCALES = dict(BUILT_IN_SCALES)

PRESENTATION = Question(
    id="presentation",
    type="multiple_choice",
    text="What did the child present with?",
    lens="situation",
    options=(),
    maps={"self_harm": "harm", "low_mood": "complicating_factors", "coping": "strengths"},
)
UNDERSTOOD = Question(
    id="understood",
    type="yes_no_unknown",
    text="Did the agency try to understand?",
    maps={"yes": "working_well", "no": "worried_about"},
)
PLAN = Question(id="plan", type="free_text", text="What needs to happen?", column="next_steps")
NOTES = Question(id="notes", type="free_text", text="Anything else?", column="worried_about")


def test_an_answer_lands_in_its_stored_columns_under_the_registrys_sub_headings() -> None:
    question = replace(
        PRESENTATION,
        options=(
            Choice("self_harm", "Self-harm"),
            Choice("low_mood", "Low mood"),
            Choice("coping", "Coping well"),
        ),
    )
    placed = place(question, ["self_harm", "coping"], ["worried_about", "working_well"], SCALES)
    assert placed.columns == ("worried_about", "working_well")
    assert placed.sub_heading_in("worried_about") == "harm"
    assert placed.sub_heading_in("working_well") == "strengths"
    assert placed.sub_heading_in("needs_to_happen") is None
    assert placed.gap is None


def test_not_known_is_a_gap_in_no_column() -> None:
    placed = place(UNDERSTOOD, "not_known", [], SCALES)
    assert placed.columns == () and placed.gap == "not_known"
    assert place(UNDERSTOOD, "no", ["worried_about"], SCALES).columns == ("worried_about",)
    # A practice question has no sub-heading.
    assert place(UNDERSTOOD, "no", ["worried_about"], SCALES).sub_headings == ()


def test_a_question_whose_answers_land_in_one_place_needs_no_value() -> None:
    placed = place(PLAN, _ANSWERED, ["needs_to_happen"], SCALES)
    assert placed.columns == ("needs_to_happen",)
    assert placed.sub_heading_in("needs_to_happen") == "next_steps"
    assert place(NOTES, _ANSWERED, ["worried_about"], SCALES).sub_headings == ()
    # Not answered (no stored column), and not a gap either.
    assert place(NOTES, _ANSWERED, [], SCALES) == place(NOTES, _ANSWERED, [], SCALES)
    assert place(NOTES, _ANSWERED, [], SCALES).gap is None


def test_a_question_no_longer_in_the_template_keeps_its_stored_columns() -> None:
    placed = place(None, "x", ["working_well", "not a column"], SCALES)
    assert placed.columns == ("working_well",) and placed.sub_headings == ()


def _panel() -> Any:
    definition = AuditTemplateDefinition(
        id="t",
        title="T",
        version="1",
        purpose="",
        scales=SCALES,
        sections=(
            Section("The child", None, (PRESENTATION,)),
            Section("Practice", None, (UNDERSTOOD, PLAN)),
        ),
        content_hash="x",
        content={},
    )
    audit = SimpleNamespace(id=1)
    members = [SimpleNamespace(id=10, code="Child A"), SimpleNamespace(id=11, code="Child B")]
    agencies = [SimpleNamespace(id=5, name="Police")]
    return PanelAudit(audit, definition, members, agencies)  # type: ignore[arg-type]


def test_filters_keep_only_what_the_audit_has() -> None:
    panel = _panel()
    filters = read_filters(
        {
            "agency": "5",
            "child": "11",
            "section": "2",
            "theme": "7",
            "sub_heading": "harm",
            "kind": "answers",
            "column": "worried_about",
            "show": "gaps",
            "page": "3",
        },
        panel,
        [7],
    )
    assert filters == BoardFilters(5, 11, 2, 7, "harm", "answers", "worried_about", "gaps", 3)
    assert filters.narrowed
    # Anything unknown is dropped, never an error.
    dropped = read_filters(
        {
            "agency": "6",
            "child": "x",
            "section": "3",
            "theme": "8",
            "sub_heading": "worries",
            "kind": "all",
            "column": "maybe",
            "show": "all",
            "page": "-2",
        },
        panel,
        [7],
    )
    assert dropped == BoardFilters()
    assert not dropped.narrowed


def test_the_address_of_the_filters() -> None:
    filters = BoardFilters(agency=5, sub_heading="harm", page=2)
    assert filters.args() == {"agency": 5, "sub_heading": "harm", "page": 2}
    assert filters.args(page=1) == {"agency": 5, "sub_heading": "harm"}
    assert filters.args(show="gaps", agency=None) == {
        "sub_heading": "harm",
        "show": "gaps",
        "page": 2,
    }


def test_summaries_and_evidence_are_left_out_by_child_section_and_sub_heading() -> None:
    assert BoardFilters().includes("summaries") and BoardFilters().includes("evidence")
    for narrowed in (
        BoardFilters(child=1),
        BoardFilters(section=1),
        BoardFilters(sub_heading="harm"),
    ):
        assert narrowed.includes("answers")
        assert not narrowed.includes("summaries") and not narrowed.includes("evidence")
    assert BoardFilters(agency=1).includes("summaries")
    only = BoardFilters(kind="evidence")
    assert only.includes("evidence") and not only.includes("answers")


def test_page_numbers() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(1, 10) == [1, 2, None, 10]
    assert page_numbers(5, 10) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(10, 10) == [1, None, 9, 10]


def test_a_page_of_a_column_is_grouped_by_sub_heading_in_order() -> None:
    column = BoardColumn("worried_about")
    column.items = [
        BoardItem("answer", 1, "worried_about", "a", sub_heading="harm"),
        BoardItem("answer", 2, "worried_about", "b", sub_heading="harm"),
        BoardItem("answer", 3, "worried_about", "c", sub_heading="danger"),
        BoardItem("summary", 4, "worried_about", "d"),
    ]
    assert [(g.label, len(g.items)) for g in column.groups] == [
        ("Harm", 2),
        ("Danger", 1),
        ("Not under a sub-heading", 1),
    ]
    assert column.sub_headings == ["harm", "danger", "complicating_factors"]
    assert column.items[0].anchor == "answer-1-worried_about"


def test_the_filters_selects_mark_the_chosen_option() -> None:
    panel = _panel()
    choices = filter_choices(panel, BoardFilters(child=11, section=2), [(7, "Housing")])
    chosen = {
        name: [o["text"] for o in items if o.get("selected")] for name, items in choices.items()
    }
    assert chosen["child"] == ["Child B"]
    assert chosen["section"] == ["Practice"]
    assert chosen["theme"] == []
    assert [o["text"] for o in choices["sub_heading"]][1] == "What are we worried about: Harm"
