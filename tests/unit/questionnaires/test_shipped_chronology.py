"""The agency's involvement with a child is asked once: on the return's chronology page.

The chronology page (``returns/chronology.html``) is what the panel's multi-agency
chronology reads, so no shipped template also asks for the agency's involvement as a
dated list of its own (issue 9).
"""

from __future__ import annotations

import pytest

from audit_app.questionnaires import template_format
from audit_app.questionnaires.library import SHIPPED_TEMPLATES

# The shipped templates whose dated-list question repeated the chronology page.
CHANGED = ("signs-of-safety-macfa", "children-in-crisis")


@pytest.mark.parametrize("key", CHANGED)
def test_no_shipped_template_asks_for_the_agencys_involvement_as_a_dated_list(key: str) -> None:
    path = SHIPPED_TEMPLATES / f"{key}.yaml"
    definition = template_format.parse(path.read_bytes(), path.name)
    dated = [question.id for question in definition.questions if question.type == "dated_list"]
    assert dated == [], f"{key} still asks for a dated list: {dated}"
    # The guidance sends the reviewer to the chronology page instead.
    guidance = " ".join(section.guidance or "" for section in definition.sections)
    assert "Your agency's involvement, date by date" in guidance


@pytest.mark.parametrize("key", CHANGED)
def test_the_changed_templates_carry_a_new_version_label(key: str) -> None:
    """Version 1.0 asked for the dated list: a changed file needs a new label, since the same
    label with new content is refused when it is loaded."""
    path = SHIPPED_TEMPLATES / f"{key}.yaml"
    assert template_format.parse(path.read_bytes(), path.name).version not in ("1.0", "")
