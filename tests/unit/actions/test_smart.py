"""The SMART check of an action: each rule, and the wording that must pass cleanly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.actions import smart
from audit_app.actions.smart import ActionDraft, Severity

TODAY = date(2026, 12, 1)
WORDS = smart.load_words()
CLEAN_WHAT = (
    "Deliver two half-day training sessions on emotional dysregulation to designated "
    "safeguarding leads in all 120 schools by March 2027"
)
CLEAN_MEASURE = "90% attend and a re-audit in 2028 shows 75% good or better on question 4"
GOOD = ActionDraft(
    what=CLEAN_WHAT,
    success_measure=CLEAN_MEASURE,
    lead_agency_id=3,
    owner_id=7,
    start_date=date(2027, 1, 4),
    target_date=date(2027, 3, 31),
    priority="high",
)


def rules(draft: ActionDraft) -> list[str]:
    return [problem.rule for problem in smart.check(draft, WORDS, TODAY)]


def test_the_issues_example_passes_cleanly() -> None:
    assert smart.check(GOOD, WORDS, TODAY) == []
    assert smart.check_for_saving(GOOD, WORDS, TODAY) == []
    # Written as one sentence, measure and all, it passes too.
    whole = f"{CLEAN_WHAT}; success: {CLEAN_MEASURE}"
    assert smart.check(replace(GOOD, what=whole), WORDS, TODAY) == []


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"what": "  "}, "what", "what_missing"),
        ({"success_measure": ""}, "success_measure", "measure_missing"),
        ({"lead_agency_id": None}, "lead_agency", "lead_agency_missing"),
        ({"owner_id": None}, "owner", "owner_missing"),
        ({"target_date": None}, "target_date", "target_missing"),
        ({"target_date": date(2026, 11, 30), "start_date": None}, "target_date",
         "target_in_the_past"),
        ({"target_date": date(2027, 1, 3)}, "target_date", "target_before_start"),
        ({"priority": ""}, "priority", "priority_missing"),
        ({"priority": "urgent"}, "priority", "priority_missing"),
        ({"what": "x" * 1001}, "what", "what_too_long"),
        ({"dates_typed": {"target_date": True}, "target_date": None}, "target_date",
         "target_not_a_date"),
        ({"dates_typed": {"start_date": True}}, "start_date", "start_not_a_date"),
    ],
)  # fmt: skip
def test_what_an_action_cannot_do_without_is_refused_naming_the_field(
    change: dict[str, object], field: str, rule: str
) -> None:
    problems = smart.check(replace(GOOD, **change), WORDS, TODAY)
    found = [p for p in problems if p.rule == rule]
    assert found, problems
    assert found[0].field == field and found[0].severity is Severity.REFUSED
    assert smart.check_for_saving(replace(GOOD, **change), WORDS, TODAY)


def test_a_target_date_of_today_and_a_start_the_same_day_are_accepted() -> None:
    assert rules(replace(GOOD, start_date=TODAY, target_date=TODAY)) == []


def test_an_owner_is_a_person_with_an_account_or_someone_to_invite_not_both() -> None:
    invitee = replace(GOOD, owner_id=None, owner_name="Dr Jo Bloggs", owner_email="jo@nhs.net")
    assert rules(invitee) == []
    assert rules(replace(invitee, owner_email="not an address")) == ["owner_email_invalid"]
    assert rules(replace(invitee, owner_name="")) == ["owner_name_missing"]
    assert rules(replace(invitee, owner_id=7)) == ["owner_both"]


@pytest.mark.parametrize(
    "what",
    [
        "Remind staff of the escalation policy",
        "Reissue the neglect strategy to all partners",
        "Cascade the learning to front-line teams",
        "Circulate the 7-minute briefing",
        "Raise awareness of the MHST offer",
        "Consider a joint triage for eating disorders",
        "Explore a single front door for CAMHS",
        "Look into waiting times for autism assessment",
        "Try a new referral form",
        "Review the step-down protocol",
        "Make sure that consent should be sought",
        "Offer a follow-up call if possible",
    ],
)
def test_weak_wording_without_a_measurable_measure_is_a_warning(what: str) -> None:
    unmeasured = replace(GOOD, what=what, success_measure="Staff are clearer about it")
    problems = smart.check(unmeasured, WORDS, TODAY)
    assert [p.rule for p in problems] == ["weak_wording"]
    assert problems[0].field == "what" and problems[0].severity is Severity.WARNING
    # With a measure that can be measured, the same wording passes.
    assert rules(replace(unmeasured, success_measure="A re-audit shows fewer late referrals")) == []


def test_words_are_matched_whole_and_in_any_case() -> None:
    measure = "Staff feel better"
    assert rules(replace(GOOD, what="Deliver an entry-level course", success_measure=measure)) == []
    assert rules(replace(GOOD, what="Deliver a REVIEWED course", success_measure=measure)) == []
    assert rules(replace(GOOD, what="Deliver it, then REVIEW", success_measure=measure)) == [
        "weak_wording"
    ]


@pytest.mark.parametrize(
    ("measure", "measurable"),
    [
        ("90% attend", True),
        ("Three in four cases show a plan", True),
        ("Fewer children wait over 18 weeks", True),
        ("A re-audit in 2028", True),
        ("Compared with the 2021 audit, more children are seen", True),
        ("Every school has a named lead", True),
        ("Staff are clearer about it", False),
        ("Better practice", False),
    ],
)
def test_a_measure_is_measurable_with_a_number_or_a_comparison(
    measure: str, measurable: bool
) -> None:
    assert smart.is_measurable(measure, WORDS) is measurable


def test_two_actions_in_one_is_a_warning() -> None:
    what = "Deliver training and audit the records and report to the board"
    assert rules(replace(GOOD, what=what)) == ["two_actions"]
    assert rules(replace(GOOD, what="Deliver training to GPs and school nurses")) == []


@pytest.mark.parametrize(
    "what",
    ["The policy is updated", "Training for staff on DSL duties", "Ensuring children are seen",
     "Implementation of the new pathway", "Staff to attend training"],
)  # fmt: skip
def test_an_action_that_does_not_start_with_what_will_be_done_is_a_warning(what: str) -> None:
    assert rules(replace(GOOD, what=what)) == ["not_a_verb"]


@pytest.mark.parametrize("what", ["Deliver training", "Bring agencies together monthly",
                                  "Audit 20 cases", "Introduce a joint triage"])  # fmt: skip
def test_verbs_pass(what: str) -> None:
    assert rules(replace(GOOD, what=what)) == []


def test_a_warning_is_kept_only_with_a_reason_and_refusals_come_first() -> None:
    weak = replace(GOOD, what="Remind staff", success_measure="Staff remember")
    (needs,) = smart.check_for_saving(weak, WORDS, TODAY)
    assert needs.field == "override_reason" and needs.refused
    assert smart.check_for_saving(replace(weak, override_reason="too short"), WORDS, TODAY)
    kept = replace(weak, override_reason="The board asked for a reminder before the inspection")
    assert smart.check_for_saving(kept, WORDS, TODAY) == []
    assert [p.rule for p in smart.warnings_of(kept, WORDS, TODAY)] == ["weak_wording"]
    both = smart.check(replace(weak, lead_agency_id=None), WORDS, TODAY)
    assert [p.severity for p in both] == [Severity.REFUSED, Severity.WARNING]


def test_a_partnership_can_change_the_lists(tmp_path: Path) -> None:
    mine = tmp_path / "words.yaml"
    mine.write_text(
        "weak_wording: [signpost]\ncomparisons: []\nnumber_words: []\nnot_verbs: [the]\n"
    )
    words = smart.load_words(mine)
    draft = replace(GOOD, what="Signpost families to Kooth", success_measure="Families know")
    assert [p.rule for p in smart.check(draft, words, TODAY)] == ["weak_wording"]
    assert [p.rule for p in smart.check(replace(draft, what="Remind staff"), words, TODAY)] == []


@pytest.mark.parametrize(
    "text",
    ["", "weak_wording: remind\n", "- a list\n", "weak_wording: [1]\n", "{{", "\x00"],
)
def test_a_word_list_that_cannot_be_read_is_refused_saying_why(tmp_path: Path, text: str) -> None:
    broken = tmp_path / "words.yaml"
    broken.write_text(text)
    with pytest.raises(smart.WordListInvalid):
        smart.load_words(broken)


@given(
    what=st.text(max_size=300),
    measure=st.text(max_size=300),
    reason=st.text(max_size=50),
)
def test_any_text_is_checked_never_a_crash(what: str, measure: str, reason: str) -> None:
    draft = replace(GOOD, what=what, success_measure=measure, override_reason=reason)
    for problem in smart.check_for_saving(draft, WORDS, TODAY):
        assert problem.field and problem.message
