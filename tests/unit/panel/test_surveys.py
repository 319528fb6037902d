"""Reading a survey of children and young people into counts per question: CSV and XLSX,
and every way a file is refused (naming what is wrong)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.panel import surveys
from audit_app.panel.surveys import (
    MAX_RESPONSES,
    MOST_DISTINCT_ANSWERS,
    SurveyCounts,
    SurveyError,
    read_survey,
)
from tests.unit.cohort.test_population import zip_bomb, zip_bytes


def csv_bytes(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refusal(raw: bytes, filename: str = "survey.csv", **limits: int) -> str:
    with pytest.raises(SurveyError) as caught:
        read_survey(raw, filename, **limits)
    assert caught.value.message
    return caught.value.message


SURVEY = [
    ["Do you feel safe at home?", "Who helps you?", "How old are you?", "Anything else?"],
    ["Yes", "Friends; Family", 14, "I like my school"],
    ["No", "Family", 15, ""],
    ["yes ", "", 9, "Nothing"],
    ["Sometimes", "Teacher;Family", 14, ""],
]


def _check_counts(counts: SurveyCounts) -> None:
    assert counts.as_json()["responses"] == counts.responses == 4
    safe, helps, age, other = counts.questions
    assert safe.text == "Do you feel safe at home?"
    assert safe.counts == [("Yes", 2), ("No", 1), ("Sometimes", 1)]
    assert safe.answered == 4
    # Several answers in a cell, separated by ";", count once each.
    assert helps.counts == [("Family", 3), ("Friends", 1), ("Teacher", 1)]
    assert helps.answered == 3
    # Numbers are kept in number order.
    assert age.counts == [("9", 1), ("14", 2), ("15", 1)]
    assert other.answered == 2


def test_a_csv_survey_is_counted_per_question() -> None:
    _check_counts(read_survey(csv_bytes(SURVEY), "survey.csv"))


def test_an_xlsx_survey_is_counted_per_question() -> None:
    _check_counts(read_survey(xlsx_bytes(SURVEY), "survey.xlsx"))


def test_what_is_stored() -> None:
    stored = read_survey(csv_bytes(SURVEY[:3]), "uploads/survey.csv").as_json()
    assert stored["file"] == "survey.csv"
    assert stored["responses"] == 2
    assert stored["questions"][0] == {
        "text": "Do you feel safe at home?",
        "answered": 2,
        "written": False,
        "counts": [["Yes", 1], ["No", 1]],
    }


def test_a_question_with_many_different_answers_is_free_text() -> None:
    rows = [["What would make things better?", "Are you OK?"]]
    rows += [[f"Answer number {n}", "Yes"] for n in range(MOST_DISTINCT_ANSWERS + 1)]
    free, counted = read_survey(csv_bytes(rows), "survey.csv").questions
    assert free.free_text and free.counts == [] and free.answered == MOST_DISTINCT_ANSWERS + 1
    assert counted.counts == [("Yes", MOST_DISTINCT_ANSWERS + 1)]


def test_young_peoples_own_words_are_never_kept_even_in_a_small_survey() -> None:
    """A written answer (long, or one of many different ones) makes the question free
    text: its words are not stored, however few responded."""
    rows = [["Anything else?", "Your name", "Are you OK?"]]
    rows += [
        ["I wish someone had asked me what was going on at home before it got so bad.",
         "Sam", "Yes"],
        ["No", "Alex", "Yes"],
    ] + [["No", f"Name {n}", "No"] for n in range(10)]  # fmt: skip
    written, names, counted = read_survey(csv_bytes(rows), "survey.csv").questions
    assert written.free_text and written.counts == [] and written.answered == 12
    assert names.free_text and names.counts == []
    assert counted.counts == [("No", 10), ("Yes", 2)]
    assert "Sam" not in str(read_survey(csv_bytes(rows), "survey.csv").as_json())


def test_blank_rows_are_skipped_and_short_rows_padded() -> None:
    raw = b"Q1,Q2\nYes,No\n\n,,\nNo\n"
    counts = read_survey(raw, "survey.csv")
    assert counts.responses == 2
    assert counts.questions[1].answered == 1


# --- Refused ---------------------------------------------------------------------------------


def test_a_pdf_is_refused_by_its_name() -> None:
    assert "'results.pdf' is a .pdf file" in refusal(b"%PDF-1.7\n...", "results.pdf")


def test_a_pdf_renamed_to_csv_is_not_a_table() -> None:
    raw = b"%PDF-1.7\n" + bytes(range(256)) * 8
    assert "not a CSV file" in refusal(raw, "results.csv") or "encoding" in refusal(
        raw, "results.csv"
    )


def test_random_bytes_named_xlsx_are_refused() -> None:
    assert "is not a valid Excel workbook" in refusal(b"not a zip at all", "survey.xlsx")


def test_an_empty_file_is_refused() -> None:
    assert "is empty" in refusal(b"\r\n \n", "survey.csv")


def test_a_blank_first_row_is_no_header() -> None:
    assert "The first row of 'survey.csv' is blank" in refusal(b"\nQ1,Q2\nYes,No\n")
    assert "is blank" in refusal(xlsx_bytes([[None], ["Q1"], ["Yes"]]), "survey.xlsx")


def test_a_first_row_of_answers_is_no_header() -> None:
    message = refusal(b"Yes,No\nNo,No\nYes,Yes\n")
    assert "looks like a response, not the questions" in message
    assert "holds only numbers" in refusal(b"3,4,5\n1,2,3\n")


def test_a_duplicated_question_is_named() -> None:
    message = refusal(b"Do you feel safe?,Age,do you feel safe?\nYes,12,No\n")
    assert "'Do you feel safe?' is in the first row more than once (columns 1 and 3)" in message


def test_a_blank_question_is_named_by_its_column() -> None:
    assert "Column 2 (B) has no question in the first row" in refusal(b"Q1,,Q3\na,b,c\n")


def test_an_answer_with_no_question_is_refused() -> None:
    message = refusal(b"Q1,Q2\na,b\nc,d,e\n")
    assert "Row 3 has an answer in column 3 (C), which has no question" in message


def test_questions_without_responses_are_refused() -> None:
    assert "has no responses" in refusal(b"Q1,Q2\n")


def test_more_than_10000_responses_are_refused_in_csv() -> None:
    raw = b"Q1\n" + b"Yes\n" * (MAX_RESPONSES + 1)
    message = refusal(raw)
    assert "more than 10,000 responses" in message
    assert read_survey(b"Q1\n" + b"Yes\n" * MAX_RESPONSES, "s.csv").responses == MAX_RESPONSES


def test_100000_rows_are_refused() -> None:
    assert "more than 10,000 responses" in refusal(b"Q1\n" + b"Yes\n" * 100_000)


def test_more_than_10000_responses_are_refused_in_xlsx() -> None:
    rows: list[list[object]] = [["Q1"]] + [["Yes"]] * (MAX_RESPONSES + 1)
    assert "more than 10,000 responses" in refusal(xlsx_bytes(rows), "survey.xlsx")


def test_too_large_a_file_says_the_limit() -> None:
    message = refusal(b"Q1\n" + b"Yes\n" * 2000, max_bytes=1024)
    assert "the limit is 0.1 MB" in message or "the limit is" in message


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_openpyxl(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl must not open a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", no_openpyxl)
    message = refusal(zip_bomb(), "survey.xlsx")
    assert message.startswith("'survey.xlsx' looks damaged or is too large once unpacked")


def test_a_damaged_workbook_is_refused() -> None:
    good = xlsx_bytes([["Q1"], ["Yes"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c"
    assert "is not a valid Excel workbook" in refusal(zip_bytes(members), "survey.xlsx")


def test_too_many_questions_are_refused() -> None:
    header = [f"Question {n}" for n in range(surveys.MAX_QUESTIONS + 1)]
    assert "the limit is 200" in refusal(csv_bytes([header, ["a"] * len(header)]))


# --- Nothing crashes it ----------------------------------------------------------------------


def _holds(counts: SurveyCounts) -> None:
    """Counts that add up: every question answered by at most every response, and each
    answer counted at most once a response."""
    assert 1 <= counts.responses <= MAX_RESPONSES
    assert counts.questions
    for question in counts.questions:
        assert question.text
        assert 0 <= question.answered <= counts.responses
        if question.free_text:
            assert question.counts == []
        else:
            assert len(question.counts) <= MOST_DISTINCT_ANSWERS
            assert all(count >= 1 for _, count in question.counts)
            assert all(count <= question.answered for _, count in question.counts)
            total = sum(count for _, count in question.counts)
            assert question.answered <= total or question.answered == 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=2048), name=st.sampled_from(["s.csv", "s.xlsx", "s.txt"]))
def test_no_bytes_crash_the_reader(raw: bytes, name: str) -> None:
    try:
        counts = read_survey(raw, name)
    except SurveyError as error:
        assert error.message
    else:
        _holds(counts)


cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12
) | st.sampled_from(["Yes", "No", "yes", "Sometimes", "a;b", ";", " ", ""])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=5), min_size=0, max_size=30))
def test_any_table_of_text_is_refused_or_counted(rows: list[list[str]]) -> None:
    try:
        counts = read_survey(csv_bytes(rows), "s.csv")  # type: ignore[arg-type]
    except SurveyError as error:
        assert error.message
        return
    _holds(counts)
    # Without semicolons, each response that answers gives exactly one answer.
    for index, question in enumerate(counts.questions):
        column = [row[index] if index < len(row) else "" for row in rows[1:] if any(row)]
        if not question.free_text and not any(";" in cell for cell in column):
            assert sum(count for _, count in question.counts) == question.answered


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(st.sampled_from(["Yes", "No", "Maybe", "", 1, 2.5]), min_size=1, max_size=4),
        min_size=1,
        max_size=12,
    )
)
def test_any_workbook_is_refused_or_counted(rows: list[list[object]]) -> None:
    try:
        counts = read_survey(xlsx_bytes(rows), "s.xlsx")
    except SurveyError as error:
        assert error.message
        return
    _holds(counts)
