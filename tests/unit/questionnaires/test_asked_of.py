"""``asked_of``: sections and questions asked of some agency sectors only."""

from __future__ import annotations

from typing import Any

import pytest

from audit_app.cli import _return_summary
from audit_app.questionnaires import template_format as tf
from tests.unit.questionnaires.test_template_format import errors_of, example


def _targeted() -> dict[str, Any]:
    """The example with its first section asked of mental health and health, and its
    follow-up question (asked after "no" to early help) of mental health only."""
    data = example()
    first = data["sections"][0]
    first["asked_of"] = ["mental_health", "health"]
    first["questions"][0]["asked_of"] = ["mental_health"]  # early_help_offered
    first["questions"][1]["asked_of"] = ["mental_health"]  # missed_opportunity (show_if)
    return data


def test_each_sector_sees_only_what_is_asked_of_it() -> None:
    definition = tf.build(_targeted())
    assert tf.validate(_targeted()) == []
    assert definition.targets_sectors
    camhs, ward, gp = (
        definition.for_sector(s) for s in ("mental_health", "health", "primary_care")
    )
    first = ["early_help_offered", "missed_opportunity", "who_referred", "services"]
    assert [q.id for q in camhs.sections[0].questions] == first
    assert [q.id for q in ward.sections[0].questions] == ["who_referred", "services"]
    assert [s.title for s in gp.sections] == ["Quality"]  # the first section is not asked
    assert gp.content_hash == definition.content_hash  # still the same template
    assert definition.for_sector("primary_care") is gp  # built once


def test_a_template_that_targets_no_sector_is_the_same_for_everyone() -> None:
    definition = tf.build(example())
    assert not definition.targets_sectors
    assert definition.for_sector("police") is definition


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            lambda d: d["sections"][0].update(asked_of=["hospital"]),
            "sections[0].asked_of[0]",
            "hospital",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(asked_of=[]),
            "sections[0].questions[0].asked_of",
            "",
        ),
        (
            lambda d: d["sections"][0]["questions"][2].update(asked_of=["police"]),
            "sections[0].questions[2].asked_of",
            "its section is not asked of police",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(asked_of=["health"]),
            "sections[0].questions[1].show_if",
            "'early_help_offered' is not asked of health",
        ),
    ],
)
def test_bad_sectors_are_refused_naming_the_path(change: Any, path: str, message: str) -> None:
    data = _targeted()
    change(data)
    found = errors_of(data)
    assert any(p == path and message in m for p, m in found), found


def test_the_summary_estimates_each_sector_apart() -> None:
    lines = _return_summary(tf.build(_targeted()))
    by_sector = {line.split(":")[0]: line for line in lines[:-1]}
    assert by_sector["Mental health (CAMHS)"].startswith("Mental health (CAMHS): 10 questions")
    assert by_sector["Acute or community health"].startswith("Acute or community health: 8 ")
    assert by_sector["Police"].startswith("Police: 6 questions")
    assert lines[-1].startswith("Estimated by the rule:")
