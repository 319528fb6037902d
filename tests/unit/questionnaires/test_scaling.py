"""The 0-10 scaling answer type: chosen like a grade, kept as the whole number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.questionnaires.answer_types import (
    CellError,
    Scaling,
    ScalingAggregate,
    answer_type,
)
from audit_app.questionnaires.definitions import BUILT_IN_SCALES, Question, Scale, ScaleLevel

SCALES = dict(BUILT_IN_SCALES)
SAFETY = Question("safety", "scaling", "How safe?", scale="sos_0_10", not_known=True)
KIND = answer_type(SAFETY)


def test_the_registry_knows_a_scaling_and_only_a_scaling_says_so() -> None:
    assert isinstance(KIND, Scaling) and KIND.is_scaling
    assert not answer_type(Question("g", "grade", "G?", scale="sos_0_10")).is_scaling


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("7", 7), (" 0 ", 0), ("10", 10), (4, 4), ("not_known", "not_known"), ("", None),
     (None, None)],
)  # fmt: skip
def test_what_is_chosen_is_kept_as_the_number(typed: object, kept: object) -> None:
    assert KIND.to_stored(typed) == kept
    if isinstance(kept, int):
        assert KIND.to_form(kept) == str(kept)  # the radio button's value


def test_only_whole_numbers_from_0_to_10_and_the_offered_gaps_are_valid() -> None:
    for valid in (0, 6, 7, 10, "not_known"):
        assert KIND.validate(valid, SAFETY, SCALES) is None, valid
    for invalid in ("7", 11, -1, 7.0, True, "does_not_apply", "high"):
        assert KIND.validate(invalid, SAFETY, SCALES) is not None, invalid


def test_a_scaling_lands_in_its_scale_column_and_reads_in_words() -> None:
    assert KIND.columns(6, SAFETY, SCALES) == ["worried_about"]
    assert KIND.columns(7, SAFETY, SCALES) == ["working_well"]
    assert KIND.columns("not_known", SAFETY, SCALES) == []
    assert KIND.gap("not_known", SAFETY) == "not_known"
    assert KIND.summary(7, SAFETY, SCALES).startswith("7")
    assert KIND.normal("7") == KIND.normal(7) == 7


@pytest.mark.parametrize("cell", [7, 7.0, "7", " 7 "])
def test_a_cell_gives_the_number(cell: object) -> None:
    assert KIND.from_cell(cell, SAFETY, SCALES) == 7


def test_a_cell_with_no_such_point_is_refused_naming_the_answers() -> None:
    with pytest.raises(CellError, match="is not one of the answers"):
        KIND.from_cell("eleven", SAFETY, SCALES)
    assert KIND.from_cell("Not known", SAFETY, SCALES) == "not_known"


@given(st.integers(min_value=0, max_value=10))
def test_a_scaling_survives_the_workbook_round_trip(point: int) -> None:
    cell = KIND.to_cell(point, SAFETY, SCALES)
    assert KIND.from_cell(cell, SAFETY, SCALES) == point


def test_the_aggregate_counts_each_point_and_gives_the_numbers_figures() -> None:
    found = KIND.aggregate([2, 7, 7, 9, "not_known", None], SAFETY, SCALES)
    assert isinstance(found, ScalingAggregate)
    assert found.answered == 5
    assert found.counts["7"] == 2 and found.counts["not_known"] == 1
    assert (found.minimum, found.maximum, found.median) == (2, 9, 7)
    assert found.columns["working_well"] == 3 and found.columns["worried_about"] == 1
    assert found.gaps["not_known"] == 1


def test_a_scaling_needs_a_scale_of_0_to_10() -> None:
    scales = dict(SCALES)
    scales["to_five"] = Scale(
        "to_five", "0 to 5", tuple(ScaleLevel(str(n), str(n), "working_well") for n in range(6))
    )
    wrong = Question("s", "scaling", "How safe?", scale="to_five")
    assert [key for key, _ in KIND.check_question(wrong, scales)] == ["scale"]
    assert KIND.check_question(SAFETY, SCALES) == []
