"""Timing the offline workbook against openpyxl's plainest writer (for ``make bench``).

:func:`baseline_write_only_seconds` writes the same cells as a workbook, unstyled, in
openpyxl's write-only mode: the least any writer of that workbook could take. The download
is measured against it with :func:`build_seconds`; :func:`read_seconds` times reading a
filled-in workbook back and planning its changes (the upload's work). :func:`sample_contents`
makes an agency's workbook contents without a database, of any size, for trying it out.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook

from audit_app.questionnaires.definitions import AuditTemplateDefinition
from audit_app.questionnaires.template_format import parse
from audit_app.returns.models import ReturnStatus
from audit_app.workbooks.cells import _hint, cell_value
from audit_app.workbooks.changes import plan_changes
from audit_app.workbooks.contents import AgencyWorkbook, ReturnState
from audit_app.workbooks.layout import COLUMNS, FIRST_ROW
from audit_app.workbooks.reading import read_workbook
from audit_app.workbooks.writing import build_workbook

BENCH_KEY = "a-benchmark-key-that-is-long-enough-for-hmac"


Clock = Callable[[], float]


def median_seconds(
    work: Callable[[], Any], repeat: int = 5, clock: Clock = time.perf_counter
) -> float:
    """The median time of ``repeat`` runs of ``work`` (after one run to warm up).

    ``clock`` may be ``time.process_time``: on a busy machine the processor time this
    process used is steadier than the time on the wall.
    """
    work()
    times = []
    for _ in range(repeat):
        start = clock()
        work()
        times.append(clock() - start)
    return statistics.median(times)


def _plain_rows(contents: AgencyWorkbook) -> list[list[list[Any]]]:
    """Each child's sheet as rows of plain values: the cells the workbook writes."""
    definition = contents.definition
    sheets = []
    for state in contents.returns:
        rows: list[list[Any]] = [
            [f"{state.child_code}: {contents.agency_name}'s return"],
            [f"Status when downloaded: {state.status.label}."],
            ["Write your answers in the Answer column."],
            list(COLUMNS),
        ]
        for section in definition.sections:
            for question in section.questions:
                value, reason = state.answers.get(question.id, (None, None))
                rows.append(
                    [
                        section.title,
                        question.text,
                        cell_value(question, value, definition),
                        reason,
                        _hint(question, definition),
                        question.id,
                    ]
                )
        sheets.append(rows)
    return sheets


def baseline_write_only_seconds(
    contents: AgencyWorkbook, repeat: int = 5, clock: Clock = time.perf_counter
) -> float:
    """Median seconds openpyxl's write-only mode takes to write the same cells as the
    workbook's child sheets, with no styles, checks or hidden sheets."""
    sheets = _plain_rows(contents)

    def write() -> None:
        book = Workbook(write_only=True)
        for index, rows in enumerate(sheets):
            sheet = book.create_sheet(f"Sheet {index}")
            for row in rows:
                sheet.append(row)
        book.save(io.BytesIO())

    return median_seconds(write, repeat, clock)


def build_seconds(
    contents: AgencyWorkbook, repeat: int = 5, clock: Clock = time.perf_counter
) -> float:
    """Median seconds :func:`build_workbook` takes for the contents."""
    return median_seconds(lambda: build_workbook(contents, BENCH_KEY), repeat, clock)


def cell_count(contents: AgencyWorkbook) -> int:
    """How many cells of the child sheets hold something."""
    return sum(
        1 for rows in _plain_rows(contents) for row in rows for value in row if value is not None
    )


def read_seconds(
    contents: AgencyWorkbook, repeat: int = 5, clock: Clock = time.perf_counter
) -> float:
    """Median seconds reading back a workbook with a changed answer on every child's sheet
    and planning its changes take (the upload's work, without the web)."""
    book = load_workbook(io.BytesIO(build_workbook(contents, BENCH_KEY)))
    for sheet in book.worksheets[1 : 1 + len(contents.returns)]:
        sheet[f"C{FIRST_ROW + 1}"].value = f"Written offline on {sheet.title}"
    out = io.BytesIO()
    book.save(out)
    raw = out.getvalue()

    def read() -> None:
        uploaded = read_workbook(
            raw,
            key=BENCH_KEY,
            definition=contents.definition,
            audit_id=contents.audit_id,
            agency_id=contents.agency_id,
        )
        plan_changes(uploaded, contents)

    return median_seconds(read, repeat, clock)


# --- Sample contents, without a database ---------------------------------------------------


def sample_definition(questions: int = 100) -> AuditTemplateDefinition:
    """A template of ``questions`` questions of every answer type, nine to a section."""
    ofsted = {"yes": "working_well", "no": "worried_about", "not_known": "worried_about"}
    sections = []
    for number in range((questions + 8) // 9):
        n = f"_{number}"
        sections.append(
            {
                "title": f"Part {number + 1}",
                "questions": [
                    {
                        "id": f"early_help{n}",
                        "type": "yes_no_unknown",
                        "text": "Was early help offered?",
                        "maps": dict(ofsted),
                    },
                    {
                        "id": f"missed{n}",
                        "type": "free_text",
                        "text": "What chance was missed?",
                        "column": "worried_about",
                        "show_if": {"question": f"early_help{n}", "equals": "no"},
                    },
                    {
                        "id": f"who{n}",
                        "type": "single_choice",
                        "text": "Who referred the child?",
                        "options": [
                            {"value": "school", "label": "School"},
                            {"value": "gp", "label": "GP"},
                        ],
                        "maps": {"school": "working_well", "gp": "working_well"},
                    },
                    {
                        "id": f"services{n}",
                        "type": "multiple_choice",
                        "text": "Which services were involved?",
                        "required": False,
                        "options": [
                            {"value": "camhs", "label": "CAMHS"},
                            {"value": "social_care", "label": "Social care"},
                        ],
                        "column": "working_well",
                    },
                    {
                        "id": f"overall{n}",
                        "type": "grade",
                        "scale": "ofsted",
                        "text": "Overall grade",
                        "rationale": "required",
                    },
                    {
                        "id": f"note{n}",
                        "type": "free_text",
                        "text": "Anything else?",
                        "column": "worried_about",
                        "required": False,
                    },
                    {
                        "id": f"referral{n}",
                        "type": "date",
                        "text": "Date of referral",
                        "column": "working_well",
                    },
                    {
                        "id": f"days{n}",
                        "type": "number",
                        "text": "Days waited",
                        "min": 0,
                        "unit": "days",
                        "column": "worried_about",
                    },
                    {
                        "id": f"events{n}",
                        "type": "dated_list",
                        "text": "Key events",
                        "column": "worried_about",
                    },
                ],
            }
        )
    extra = len(sections) * 9 - questions
    if extra:
        sections[-1]["questions"] = sections[-1]["questions"][: 9 - extra]
    template = {
        "id": "benchmark",
        "title": "Benchmark template",
        "version": "1.0",
        "purpose": "Timing the workbook.",
        "scales": ["ofsted"],
        "sections": sections,
    }
    return parse(yaml.safe_dump(template, sort_keys=False), "benchmark.yaml")


def sample_contents(children: int = 60, questions: int = 100) -> AgencyWorkbook:
    """An agency's workbook of ``children`` returns, each with every question answered."""
    definition = sample_definition(questions)
    answers: dict[str, tuple[Any, str | None]] = {}
    for question in definition.questions:
        stem = question.id.rsplit("_", 1)[0]
        answers[question.id] = {
            "early_help": ("no", None),
            "missed": ("The GP saw her twice in May and did not refer", None),
            "who": ("gp", None),
            "services": (["camhs", "social_care"], None),
            "overall": ("requires_improvement", "No plan after discharge"),
            "note": ("=SUM(A1:A2) is kept as text", None),
            "referral": ("2021-02-03", None),
            "days": (42, None),
            "events": ([{"date": "2020-06-05", "text": "Seen in ED"}], None),
        }[stem]
    return AgencyWorkbook(
        audit_id=1,
        audit_title="Children in crisis",
        agency_id=1,
        agency_name="CAMHS",
        definition=definition,
        collecting=True,
        returns=[
            ReturnState(index + 1, f"C{index + 1:04d}", 1, ReturnStatus.DRAFT, True, answers)
            for index in range(children)
        ],
        deadline=date(2030, 1, 31),
    )
