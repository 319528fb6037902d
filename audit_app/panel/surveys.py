"""A survey of children and young people, uploaded as a CSV file or an Excel workbook, read
into counts per question, with no Flask.

The first row names the questions, one in each column; each row below it is one
response. Each question's answers are counted: answers are compared without regard to
capitals or spacing, and a cell holding several answers separated by semicolons (as Microsoft
Forms and others export a "choose all that apply" question) counts once for each of them.
A question with more than :data:`MOST_DISTINCT_ANSWERS` different answers, with an answer
longer than :data:`LONGEST_COUNTED_ANSWER` characters, or of 10 or more answers mostly
different from each other, is free text (the young people's own words): only how many
answered it is kept (never the words: the panel reads the file itself and adds what
it says as items).

Reading is all-or-nothing, like the population list's (whose careful reading of CSV and
Excel files, encodings and zip bombs it reuses): :func:`read_survey` returns the counts or
raises :class:`SurveyError` with one message naming what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from audit_app.cohort.population import (
    ACCEPTED,
    CSV_EXTENSIONS,
    MAX_BYTES,
    XLSX_EXTENSIONS,
    PopulationError,
    _and,
    _csv_rows,
    _megabytes,
    _xlsx_rows,
    column_position,
    size_problem,
)

MAX_RESPONSES = 10_000
"""The most responses (rows below the first) a survey may hold."""
MAX_QUESTIONS = 200
"""The most questions (columns) a survey may hold."""
MAX_QUESTION_LENGTH = 1_000
"""The most characters a question (a cell of the first row) may hold."""
MOST_DISTINCT_ANSWERS = 50
LONGEST_COUNTED_ANSWER = 60
"""An answer longer than this is a young person's own words: the question is free text."""
MOSTLY_DIFFERENT = 0.6
"""A question of 10 or more answers, more than this share of them different, is free text
(each young person wrote their own words; counting them would only repeat them)."""
"""A question with more different answers than this is free text: not counted answer by
answer."""
MAX_ANSWER_SHOWN = 200
"""The most characters of an answer kept with its count."""
MAX_FILE_NAME = 200
SEPARATOR = ";"
"""What separates several answers in one cell."""

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


class SurveyError(Exception):
    """The file cannot be read as a survey; ``message`` says why, for the person who
    uploaded it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class QuestionCounts:
    text: str
    answered: int
    """How many responses answered the question (a non-blank cell)."""
    counts: list[tuple[str, int]] = field(default_factory=list)
    """Each different answer and how many responses gave it, most given first (in number
    order when every answer is a number); empty for free text."""
    free_text: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "answered": self.answered,
            "written": self.free_text,  # answers written out, not counted one by one
            "counts": [[answer, count] for answer, count in self.counts],
        }


@dataclass(frozen=True)
class SurveyCounts:
    file: str
    responses: int
    questions: list[QuestionCounts]

    def as_json(self) -> dict[str, Any]:
        """What :attr:`EvidenceSource.survey` stores."""
        return {
            "file": self.file,
            "responses": self.responses,
            "questions": [question.as_json() for question in self.questions],
        }


def read_survey(raw: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> SurveyCounts:
    """The survey's counts per question, or :class:`SurveyError` saying what is wrong."""
    name = _clip(PurePath(filename or "survey").name or "survey", MAX_FILE_NAME)
    extension = PurePath(name).suffix.lower()
    if extension not in CSV_EXTENSIONS + XLSX_EXTENSIONS:
        kind = f"a {extension} file" if extension else "a file without an extension"
        raise SurveyError(
            f"'{name}' is {kind}, which cannot be read as a survey: upload {ACCEPTED}. "
            "In Excel, use File > Save As and choose 'CSV UTF-8' or 'Excel Workbook'."
        )
    if size_problem(len(raw), max_bytes) is not None:
        raise SurveyError(
            f"'{name}' is {_megabytes(len(raw))}; the limit is {_megabytes(max_bytes)}. "
            "Remove the columns you do not need and upload it again."
        )
    if not raw.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise SurveyError(f"'{name}' is empty")
    try:
        rows: Iterable[tuple[int, list[str]]]
        if extension in CSV_EXTENSIONS:
            rows = _csv_rows(raw)
        else:
            rows = _xlsx_rows(raw, name, MAX_RESPONSES + 1)
        return _count(iter(rows), name)
    except PopulationError as error:
        raise SurveyError(_sentence(str(error.problems[0]))) from error


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", ")")) else text + "."


def _count(rows: Iterator[tuple[int, list[str]]], name: str) -> SurveyCounts:
    first = next(rows, None)
    if first is None or first[0] != 1 or not any(first[1]):
        raise SurveyError(
            f"The first row of '{name}' is blank. The first row must name the questions, one "
            "in each column, and each row below it must hold one response."
        )
    header = [" ".join(cell.split()) for cell in first[1]]
    responses: list[list[str]] = []
    width = _width(header)
    for number, cells in rows:
        if not any(cells):
            continue
        if len(responses) >= MAX_RESPONSES:
            raise SurveyError(
                f"'{name}' has more than {MAX_RESPONSES:,} responses (rows below the first); "
                f"the limit is {MAX_RESPONSES:,}. Split the survey into smaller files."
            )
        used = _width(cells)
        if used > width:
            raise SurveyError(
                f"Row {number} has an answer in {column_position(used - 1)}, which has no "
                "question in the first row: name every question in the first row, or delete "
                "the answers with no question."
            )
        responses.append(cells[:width] + [""] * (width - len(cells[:width])))
    questions = header[:width]
    _check_questions(questions, name)
    if not responses:
        raise SurveyError(
            f"'{name}' names its questions in the first row but has no responses below them."
        )
    _check_not_answers(questions, responses, name)
    counted = [
        _question(text, [response[index] for response in responses])
        for index, text in enumerate(questions)
    ]
    return SurveyCounts(name, len(responses), counted)


def _width(cells: list[str]) -> int:
    """How many columns the cells use, to the last one that is not blank."""
    for index in range(len(cells) - 1, -1, -1):
        if cells[index]:
            return index + 1
    return 0


def _check_questions(questions: list[str], name: str) -> None:
    if len(questions) > MAX_QUESTIONS:
        raise SurveyError(
            f"'{name}' has {len(questions):,} questions (columns); the limit is "
            f"{MAX_QUESTIONS}. Delete the columns the panel does not need."
        )
    for index, text in enumerate(questions):
        if not text:
            raise SurveyError(
                f"{_sentence(column_position(index))} has no question in the first row: name "
                "every question in the first row, or delete the empty column."
            )
        if len(text) > MAX_QUESTION_LENGTH:
            raise SurveyError(
                f"The question in {column_position(index)} is longer than "
                f"{MAX_QUESTION_LENGTH:,} characters: the first row must name the questions."
            )
    seen: dict[str, list[int]] = {}
    for index, text in enumerate(questions):
        seen.setdefault(text.casefold(), []).append(index)
    for positions in seen.values():
        if len(positions) > 1:
            columns = _and([str(position + 1) for position in positions])
            raise SurveyError(
                f"The question '{_clip(questions[positions[0]], 80)}' is in the first row more "
                f"than once (columns {columns}): give each question a different name."
            )
    if all(_NUMBER.fullmatch(text) for text in questions):
        raise SurveyError(
            f"The first row of '{name}' holds only numbers, so it looks like a response, not "
            "the questions: add a first row naming each question."
        )


def _check_not_answers(questions: list[str], responses: list[list[str]], name: str) -> None:
    """A file with no header row: every "question" is also an answer in its own column."""
    if len(responses) < 2:
        return
    for index, text in enumerate(questions):
        key = _key(text)
        if not any(key in _answers(response[index]) for response in responses):
            return
    raise SurveyError(
        f"The first row of '{name}' looks like a response, not the questions: each of its "
        f"cells (such as '{_clip(questions[0], 40)}') is also an answer below it. Add a first "
        "row naming each question."
    )


def _key(answer: str) -> str:
    return " ".join(answer.split()).casefold()


def _answers(cell: str) -> list[str]:
    """The answers in a cell, as keys: several when separated by semicolons."""
    return [key for part in cell.split(SEPARATOR) if (key := _key(part))]


def _question(text: str, cells: list[str]) -> QuestionCounts:
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    answered = 0
    free_text = False
    for cell in cells:
        parts = [part for part in cell.split(SEPARATOR) if part.strip()]
        if not parts:
            continue
        answered += 1
        if free_text:
            continue
        for key in dict.fromkeys(_key(part) for part in parts):  # each answer once a response
            if key not in counts:
                if len(counts) >= MOST_DISTINCT_ANSWERS:
                    free_text = True
                    break
                shown[key] = _clip(" ".join(next(p for p in parts if _key(p) == key).split()))
                counts[key] = 0
            counts[key] += 1
    if not free_text and counts:
        longest = max(len(answer) for answer in shown.values())
        free_text = longest > LONGEST_COUNTED_ANSWER or (
            answered >= 10 and len(counts) > MOSTLY_DIFFERENT * answered
        )
    if free_text:
        return QuestionCounts(text, answered, [], free_text=True)
    keys = list(counts)
    if keys and all(_NUMBER.fullmatch(key) for key in keys):
        keys.sort(key=lambda key: float(key.replace(",", ".")))
    else:
        order = {key: n for n, key in enumerate(keys)}
        keys.sort(key=lambda key: (-counts[key], order[key]))
    return QuestionCounts(text, answered, [(shown[key], counts[key]) for key in keys])


def _clip(text: str, limit: int = MAX_ANSWER_SHOWN) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
