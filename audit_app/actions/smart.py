"""The SMART check of an action, as it is written and again when it is saved (no Flask).

An action says what will be done (one action, starting with a verb), how we will know it
made a difference to children (the success measure), the lead agency, one owner (a person
with an account, or a name and email address for someone who will be invited), start and
target dates and a priority.

Two kinds of problem, each naming the field it concerns:

* **refused**: something an action cannot do without (a success measure, an owner, a lead
  agency, a target date) or dates that cannot be right (a target date in the past, or
  before the start). The action is not saved.
* **warning**: wording that published reviews found leaves the risk unchanged ("staff
  reminded", "policy reissued") when the success measure cannot be measured; two actions
  in one ("... and ... and ..."); an opening that is not what will be done. The action is
  saved only with a reason for keeping it, and the reason is kept with the action.

The word lists live in ``smart_words.yaml`` beside this module, which a partnership may
replace (``AUDIT_SMART_WORDS``): see :func:`load_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from email_validator import EmailNotValidError, validate_email

SHIPPED_WORDS = Path(__file__).with_name("smart_words.yaml")
MAX_WHAT = 1000
MAX_MEASURE = 1000
MAX_REASON = 1000
MAX_NAME = 200
MIN_REASON = 10
"""A reason for keeping a warned wording says something: at least this many characters."""


class Priority(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Severity(Enum):
    REFUSED = "refused"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    field: str
    """The form field it concerns: what, success_measure, lead_agency, owner, owner_email,
    start_date, target_date, priority or override_reason."""
    message: str
    severity: Severity
    rule: str
    """A short name for the rule (for tests and the record of an override)."""

    @property
    def refused(self) -> bool:
        return self.severity is Severity.REFUSED


@dataclass(frozen=True)
class SmartWords:
    """The lists the check reads (see ``smart_words.yaml``)."""

    weak_wording: tuple[str, ...]
    comparisons: tuple[str, ...]
    number_words: tuple[str, ...]
    not_verbs: tuple[str, ...]


class WordListInvalid(ValueError):
    """A partnership's word list file that cannot be read, saying why."""


def load_words(path: Path | None = None) -> SmartWords:
    """The word lists in ``path`` (the shipped file when None). Raises
    :class:`WordListInvalid` naming what is wrong."""
    source = path or SHIPPED_WORDS
    try:
        data: Any = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise WordListInvalid(f"{source}: cannot be read as YAML ({error})") from error
    if not isinstance(data, dict):
        raise WordListInvalid(f"{source}: expected the four lists of words")
    lists = {}
    for name in ("weak_wording", "comparisons", "number_words", "not_verbs"):
        value = data.get(name)
        if not isinstance(value, list) or not all(
            isinstance(word, str) and word.strip() for word in value
        ):
            raise WordListInvalid(f"{source}: '{name}' must be a list of words or phrases")
        lists[name] = tuple(" ".join(word.lower().split()) for word in value)
    return SmartWords(**lists)


@dataclass
class ActionDraft:
    """An action as written (every field as typed; the check says what is wrong)."""

    what: str = ""
    success_measure: str = ""
    lead_agency_id: int | None = None
    owner_id: int | None = None
    """An owner with an account; or, for someone to be invited, the two below."""
    owner_name: str = ""
    owner_email: str = ""
    start_date: date | None = None
    target_date: date | None = None
    priority: str = ""
    override_reason: str = ""
    """Why a warned wording is kept (kept with the action)."""
    dates_typed: dict[str, bool] = field(default_factory=dict)
    """Which date fields had something typed that is not a date (refused as such)."""


# --- Matching words -------------------------------------------------------------------------


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9%'-]+", text.lower())) + " "


def found_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases of the list that occur in ``text`` as whole words, in the list's order."""
    spaced = _words(text)
    return [phrase for phrase in phrases if f" {phrase} " in spaced]


def is_measurable(measure: str, words: SmartWords) -> bool:
    """Whether a success measure has a number (a digit, a percentage, a number word) or a
    comparison ("fewer", "compared with", "a re-audit")."""
    if re.search(r"\d", measure) or "%" in measure:
        return True
    return bool(found_phrases(measure, words.number_words + words.comparisons))


def first_word(text: str) -> str:
    match = re.match(r"\s*([A-Za-z][A-Za-z'-]*)", text)
    return match.group(1).lower() if match else ""


def starts_with_a_verb(text: str, words: SmartWords) -> bool:
    """Whether the action opens with what will be done: not with a word of ``not_verbs``
    nor a long "-ing" or "-tion" word ("Training", "Ensuring", "Implementation")."""
    word = first_word(text)
    if not word:
        return False
    if word in words.not_verbs:
        return False
    return not (len(word) > 5 and word.endswith(("ing", "tion", "ment")))


def and_count(text: str) -> int:
    return _words(text).count(" and ")


# --- The check ------------------------------------------------------------------------------


def _refused(field_name: str, message: str, rule: str) -> Problem:
    return Problem(field_name, message, Severity.REFUSED, rule)


def _warning(field_name: str, message: str, rule: str) -> Problem:
    return Problem(field_name, message, Severity.WARNING, rule)


def check(draft: ActionDraft, words: SmartWords, today: date) -> list[Problem]:
    """Every problem with the action as written, refusals first, each naming its field.
    (The reason for keeping a warning is judged by :func:`check_for_saving`.)"""
    problems: list[Problem] = []
    what = draft.what.strip()
    measure = draft.success_measure.strip()
    if not what:
        problems.append(_refused("what", "Say what will be done", "what_missing"))
    elif len(what) > MAX_WHAT:
        problems.append(
            _refused("what", f"What will be done must be {MAX_WHAT:,} characters or fewer",
                     "what_too_long")
        )  # fmt: skip
    if not measure:
        problems.append(
            _refused(
                "success_measure",
                "Say how we will know the action made a difference to children",
                "measure_missing",
            )
        )
    elif len(measure) > MAX_MEASURE:
        problems.append(
            _refused("success_measure",
                     f"The success measure must be {MAX_MEASURE:,} characters or fewer",
                     "measure_too_long")
        )  # fmt: skip
    if draft.lead_agency_id is None:
        problems.append(_refused("lead_agency", "Choose the lead agency", "lead_agency_missing"))
    problems += _owner_problems(draft)
    problems += _date_problems(draft, today)
    if draft.priority not in {priority.value for priority in Priority}:
        problems.append(_refused("priority", "Choose the priority", "priority_missing"))
    if what:
        problems += _wording_warnings(what, measure, words)
    return sorted(problems, key=lambda problem: not problem.refused)


def _owner_problems(draft: ActionDraft) -> list[Problem]:
    name, email = draft.owner_name.strip(), draft.owner_email.strip()
    if draft.owner_id is not None:
        if name or email:
            return [
                _refused(
                    "owner",
                    "Choose a person with an account or name someone to invite, not both",
                    "owner_both",
                )
            ]
        return []
    if not name and not email:
        return [
            _refused(
                "owner",
                "Choose the owner, or give the name and email address of someone to invite",
                "owner_missing",
            )
        ]
    problems = []
    if not name:
        problems.append(_refused("owner_name", "Give the name of the person to invite",
                                 "owner_name_missing"))  # fmt: skip
    elif len(name) > MAX_NAME:
        problems.append(_refused("owner_name", f"The name must be {MAX_NAME} characters or fewer",
                                 "owner_name_too_long"))  # fmt: skip
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        problems.append(
            _refused(
                "owner_email",
                "Enter the email address of the person to invite, like name@example.org",
                "owner_email_invalid",
            )
        )
    return problems


def _date_problems(draft: ActionDraft, today: date) -> list[Problem]:
    problems = []
    if draft.dates_typed.get("start_date"):
        problems.append(_refused("start_date", "The start date must be a real date",
                                 "start_not_a_date"))  # fmt: skip
    if draft.dates_typed.get("target_date"):
        problems.append(_refused("target_date", "The target date must be a real date",
                                 "target_not_a_date"))  # fmt: skip
    elif draft.target_date is None:
        problems.append(_refused("target_date", "Enter the target date", "target_missing"))
    elif draft.target_date < today:
        problems.append(
            _refused("target_date", "The target date must be today or in the future",
                     "target_in_the_past")
        )  # fmt: skip
    elif draft.start_date is not None and draft.target_date < draft.start_date:
        problems.append(
            _refused(
                "target_date",
                "The target date must be the same as or after the start date",
                "target_before_start",
            )
        )
    return problems


def _wording_warnings(what: str, measure: str, words: SmartWords) -> list[Problem]:
    problems = []
    weak = found_phrases(what, words.weak_wording)
    if weak and not is_measurable(measure, words):
        listed = ", ".join(f"'{phrase}'" for phrase in weak)
        problems.append(
            _warning(
                "what",
                f"The wording {listed} describes activity rather than a change for children, "
                "and the success measure has no number or "
                "comparison to show one. Give a measure (for example '75% of the re-audited "
                "cases show ...'), reword the action, or give a reason to keep it.",
                "weak_wording",
            )
        )
    if and_count(what) >= 2:
        problems.append(
            _warning(
                "what",
                "This may be more than one action ('... and ... and ...'): write each as an "
                "action of its own, so each has an owner and a measure, or give a reason to "
                "keep them together.",
                "two_actions",
            )
        )
    if not starts_with_a_verb(what, words):
        problems.append(
            _warning(
                "what",
                f"Start with what will be done, as a verb ('Deliver', 'Audit', 'Introduce'), "
                f"not '{first_word(what) or what[:20]}', or give a reason to keep it.",
                "not_a_verb",
            )
        )
    return problems


def check_for_saving(draft: ActionDraft, words: SmartWords, today: date) -> list[Problem]:
    """What stops the action being saved: every refusal, and, when there are warnings, a
    reason for keeping them that is missing or too short. Empty when it may be saved (the
    warnings, if any, are then kept with the reason)."""
    problems = check(draft, words, today)
    refused = [problem for problem in problems if problem.refused]
    warnings = [problem for problem in problems if not problem.refused]
    reason = draft.override_reason.strip()
    if warnings and len(reason) < MIN_REASON:
        refused.append(
            _refused(
                "override_reason",
                "Give a reason for keeping the wording the SMART check warned about "
                f"(at least {MIN_REASON} characters), or change the wording",
                "reason_missing",
            )
        )
    elif len(reason) > MAX_REASON:
        refused.append(_refused("override_reason",
                                f"The reason must be {MAX_REASON:,} characters or fewer",
                                "reason_too_long"))  # fmt: skip
    return refused


def warnings_of(draft: ActionDraft, words: SmartWords, today: date) -> list[Problem]:
    return [problem for problem in check(draft, words, today) if not problem.refused]
