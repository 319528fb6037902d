"""The agency summary's draft: answers grouped into a few readable items per column."""

from __future__ import annotations

from audit_app.returns.summaries import (
    DRAFT_ITEMS_PER_COLUMN,
    MAX_ITEM_LENGTH,
    DraftSource,
    group_draft,
)

_ids = iter(range(1, 1_000_000))


def source(column: str, child: str, question: int, answer: str) -> DraftSource:
    return DraftSource(
        column=column,
        child=child,
        question_id=f"q{question}",
        question=f"Question {question}?",
        order=question,
        answer=answer,
        answer_id=next(_ids),
    )


def children(count: int) -> list[str]:
    return [f"Child {n}" for n in range(count)]


def test_a_choice_is_counted_across_the_children() -> None:
    sources = [source("worried_about", child, 1, "No") for child in children(3)]
    sources.append(source("worried_about", "Child 3", 1, "Not known"))
    draft = group_draft(sources, 10)
    (item,) = draft["worried_about"]
    assert item.text == "In 4 of 10 children, “Question 1?”: No (3 children), Not known (1 child)."
    assert item.answer_ids == [s.answer_id for s in sources]
    assert draft["working_well"] == [] and draft["needs_to_happen"] == []


def test_written_answers_are_quoted_child_by_child() -> None:
    sources = [source("needs_to_happen", c, 2, f"Plan for {c}") for c in children(6)]
    (item,) = group_draft(sources, 6)["needs_to_happen"]
    assert item.text.startswith("In 6 of 6 children, “Question 2?”: Child 0: Plan for Child 0;")
    assert item.text.endswith("Child 5: Plan for Child 5.")


def test_one_item_per_question_in_the_templates_order() -> None:
    sources = [
        source("working_well", "Child 0", 3, "Yes"),
        source("working_well", "Child 0", 1, "Yes"),
        source("working_well", "Child 1", 3, "Yes"),
    ]
    items = group_draft(sources, 2)["working_well"]
    assert [item.text.split("“")[1].split("”")[0] for item in items] == [
        "Question 1?",
        "Question 3?",
    ]


def test_an_answer_in_two_columns_is_in_an_item_of_each() -> None:
    both = source("working_well", "Child 0", 1, "CAMHS, Social care")
    other = DraftSource(**{**both.__dict__, "column": "worried_about"})
    draft = group_draft([both, other], 1)
    assert [i.answer_ids for i in draft["working_well"]] == [[both.answer_id]]
    assert [i.answer_ids for i in draft["worried_about"]] == [[other.answer_id]]


def test_long_written_answers_are_clipped_and_counted_within_an_items_bound() -> None:
    long = "The worker wrote a great deal about this. " * 40
    sources = [source("worried_about", c, 1, f"{c} {long}") for c in children(60)]
    (item,) = group_draft(sources, 60)["worried_about"]
    assert len(item.text) <= MAX_ITEM_LENGTH
    assert item.text.startswith("In 60 of 60 children")
    assert "…" in item.text and item.text.endswith("more.")
    assert len(item.answer_ids) == 60  # every answer is still linked


def test_a_column_of_many_questions_keeps_a_few_items() -> None:
    """100 questions across 60 children: the questions answered for the most children keep
    an item each, the others share one, and every answer stays linked."""
    sources = []
    for question in range(100):
        answered = children(60 if question in (50, 70) else 1 + question % 30)
        sources += [source("worried_about", c, question, f"{c}: {question}") for c in answered]
    items = group_draft(sources, 60)["worried_about"]
    assert len(items) == DRAFT_ITEMS_PER_COLUMN
    assert all(len(item.text) <= MAX_ITEM_LENGTH for item in items)
    assert items[-1].text.startswith(f"Also in this column, {100 - DRAFT_ITEMS_PER_COLUMN + 1}")
    kept = [item.text.split("“")[1].split("”")[0] for item in items[:-1]]
    assert "Question 50?" in kept and "Question 70?" in kept
    assert sorted(i for item in items for i in item.answer_ids) == sorted(
        s.answer_id for s in sources
    )


def test_no_answers_give_an_empty_draft() -> None:
    assert group_draft([], 0) == {"working_well": [], "worried_about": [], "needs_to_happen": []}
