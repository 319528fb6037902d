"""Audit templates in the service: load, version, preview, upload, compare, render as forms."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from audit_app.agencies.models import AgencySector
from audit_app.models import AuditTemplate, AuditTemplateVersion, Role, User
from audit_app.questionnaires import library as template_library
from audit_app.questionnaires import template_format
from audit_app.questionnaires.answer_types import ANSWER_TYPES, ESTIMATE_RULE, estimate_return
from audit_app.questionnaires.library import SHIPPED_TEMPLATES, definition_of, load_template
from audit_app.questionnaires.section_forms import section_form, stored_answers, stored_rationales
from tests.conftest import EXAMPLE_TEMPLATE, csrf_token, page, sign_in, text_of

SHIPPED = sorted(SHIPPED_TEMPLATES.glob("*.yaml"))
AUDIT_APP = Path(sys.executable).parent / "audit-app"


def _example_changed(**changes: Any) -> bytes:
    data = yaml.safe_load(EXAMPLE_TEMPLATE.read_text())
    data.update(changes)
    return yaml.safe_dump(data, sort_keys=False).encode()


def _count_versions(session: Session) -> int:
    return session.scalar(select(func.count(AuditTemplateVersion.id))) or 0


# --- Loading and versions ------------------------------------------------------------------


def test_loading_the_same_file_twice_creates_nothing_new(session: Session) -> None:
    first = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), "a.yaml")
    assert first.created and first.new_template
    before = _count_versions(session)
    again = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), "a.yaml")
    assert not again.created and again.version.id == first.version.id
    assert "already loaded" in again.message
    assert _count_versions(session) == before


def test_a_changed_file_becomes_a_new_version_and_the_old_one_still_renders(
    session: Session, app: Flask
) -> None:
    first = load_template(session, EXAMPLE_TEMPLATE.read_bytes(), "a.yaml").version
    changed = yaml.safe_load(EXAMPLE_TEMPLATE.read_text())
    changed["version"] = "1.1"
    changed["sections"][0]["questions"][0]["text"] = "Was early help offered in time?"
    second = load_template(session, yaml.safe_dump(changed).encode(), "a.yaml")
    assert second.created and not second.new_template
    assert second.version.template_id == first.template_id
    assert second.version.content_hash != first.content_hash
    # The earlier version is untouched and still renders as a form.
    old = definition_of(first)
    assert old.question("early_help_offered").text == "Was early help offered before the crisis?"
    with app.test_request_context():
        form = section_form(old, old.sections[0], read_only=True)
        assert "before the crisis" in str(form["early_help_offered"]())


def test_the_same_version_label_with_different_content_is_refused(session: Session) -> None:
    load_template(session, EXAMPLE_TEMPLATE.read_bytes(), "a.yaml")
    before = _count_versions(session)
    with pytest.raises(template_format.TemplateInvalid) as refused:
        load_template(session, _example_changed(title="Renamed"), "a.yaml")
    assert refused.value.errors[0].path == "version"
    assert "new version label" in refused.value.errors[0].message
    assert _count_versions(session) == before


def test_an_invalid_file_saves_nothing(session: Session) -> None:
    templates = session.scalar(select(func.count(AuditTemplate.id)))
    with pytest.raises(template_format.TemplateInvalid):
        load_template(session, _example_changed(id="brand-new", sections=[]), "bad.yaml")
    assert session.scalar(select(func.count(AuditTemplate.id))) == templates


# --- The shipped templates -----------------------------------------------------------------


def test_three_templates_ship_with_the_service() -> None:
    ids = {template_format.parse(path.read_bytes(), path.name).id for path in SHIPPED}
    assert ids == {"children-in-crisis", "youth-justice-ecm", "signs-of-safety-macfa"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_template_loads_previews_and_renders(
    path: Path, session: Session, client: FlaskClient, users: dict[Role, User], app: Flask
) -> None:
    definition = template_format.parse(path.read_bytes(), path.name)
    assert len(definition.questions) >= 30, "a template a partnership could use as it stands"
    for question in definition.questions:
        handler = ANSWER_TYPES[question.type]
        choices = handler.choices(question, definition.scales)
        for choice in choices or []:
            # Every possible answer to a judgement lands in a column, but a gap: "not
            # known" and "does not apply" are counted apart, and facts land in none.
            value = [choice.value] if question.type == "multiple_choice" else choice.value
            lands = handler.columns(value, question, definition.scales)
            judged = not question.is_fact and handler.gap(choice.value, question) is None
            assert bool(lands) == judged, (question.id, choice)
    version = load_template(session, path.read_bytes(), path.name).version
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get(f"/admin/templates/versions/{version.id}"))
    body = text_of(soup)
    for section in definition.sections:
        assert section.title in body
    for question in definition.questions:
        assert question.text in body, question.id
    # How each answer is used: a grade's levels with where each lands, a fact in none.
    assert "Outstanding: What's working well" in body
    assert "Nothing: it records a fact, in no column" in body
    assert "Not known: counted apart, in no column" in body
    # Read-only: every question sits inside a disabled fieldset.
    assert soup.select("main form") == []  # nothing can be submitted from a preview
    assert len(soup.select("fieldset.app-preview[disabled]")) == len(definition.sections)
    with app.test_request_context():
        for section in definition.sections:
            form = section_form(definition, section)
            assert [q.id for q in form.questions] == [q.id for q in section.questions]


def test_shipped_templates_validate_from_the_command_line() -> None:
    result = subprocess.run(
        [str(AUDIT_APP), "template", "validate", *map(str, SHIPPED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == len(SHIPPED)
    assert all(": valid: " in line for line in result.stdout.splitlines())


def test_the_summary_says_what_a_return_asks_and_how_long_it_takes() -> None:
    result = subprocess.run(
        [str(AUDIT_APP), "template", "validate", "--summary", str(SHIPPED[0])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    definition = template_format.parse(SHIPPED[0].read_bytes(), SHIPPED[0].name)
    lines = result.stdout.splitlines()
    assert ": valid: " in lines[0]
    # A template that asks some sectors only is estimated sector by sector, in words.
    assert definition.targets_sectors
    assert len(lines) == 2 + len(AgencySector)
    for line, sector in zip(lines[1:], AgencySector, strict=False):
        estimate = estimate_return(definition.for_sector(sector.value))
        assert line.strip().startswith(
            f"{sector.label}: {estimate.questions} questions, {estimate.required} of them required"
        ), line
        assert f"about {estimate.minutes} minutes a child" in line
    assert lines[-1].strip() == f"Estimated by the rule: {ESTIMATE_RULE}."


def test_a_broken_copy_fails_validation_naming_the_path(tmp_path: Path) -> None:
    data = yaml.safe_load(SHIPPED[0].read_text())
    data["sections"][1]["questions"][0]["maps"] = {"yes": "brilliant"}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data))
    result = subprocess.run(
        [str(AUDIT_APP), "template", "validate", str(SHIPPED[1]), str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{broken}: sections[1].questions[0].maps" in result.stderr
    assert ": valid: " in result.stdout  # the good file is still reported


def test_the_schema_command_prints_the_json_schema() -> None:
    result = subprocess.run(
        [str(AUDIT_APP), "template", "schema"], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == template_format.json_schema()


def test_template_load_command(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["template", "load", str(EXAMPLE_TEMPLATE)])
    assert result.exit_code == 0, result.output
    assert "added as a new template" in result.output
    again = app.test_cli_runner().invoke(args=["template", "load"])
    assert again.exit_code == 0, again.output
    assert again.output.count("\n") == len(SHIPPED)


# --- Pages ---------------------------------------------------------------------------------


def test_template_list_shows_title_version_purpose_and_question_count(
    client: FlaskClient, users: dict[Role, User], template_version: AuditTemplateVersion
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    card = text_of(page(client.get("/admin/templates")))
    assert "Example multi-agency audit" in card
    assert "Check the validator on every answer type." in card
    assert "1.0" in card and "Questions 10" in card


def _upload(client: FlaskClient, content: bytes, filename: str) -> Any:
    soup = page(client.get("/admin/templates/upload"))
    return client.post(
        "/admin/templates/upload",
        data={"csrf_token": csrf_token(soup), "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_upload_a_valid_template_then_a_new_version_then_compare(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = _upload(client, EXAMPLE_TEMPLATE.read_bytes(), "example.yaml")
    assert response.status_code == 302 and "/admin/templates/versions/" in response.location
    assert "added as a new template" in text_of(page(client.get(response.location)))
    again = _upload(client, EXAMPLE_TEMPLATE.read_bytes(), "example.yaml")
    assert "already loaded: nothing has changed" in text_of(page(client.get(again.location)))

    changed = yaml.safe_load(EXAMPLE_TEMPLATE.read_text())
    changed["version"] = "2.0"
    changed["sections"][0]["questions"][0]["text"] = "Was early help offered in time?"
    del changed["sections"][0]["questions"][3]
    response = _upload(client, yaml.safe_dump(changed).encode(), "example-v2.yaml")
    assert response.status_code == 302
    template = session.scalar(select(AuditTemplate).where(AuditTemplate.key == "example-audit"))
    history = text_of(page(client.get(f"/admin/templates/{template.id}")))
    assert "From version 1.0 to version 2.0" in history
    assert "Questions removed (1)" in history and "services" in history
    assert "Questions reworded (1)" in history and "Was early help offered in time?" in history


def test_upload_an_invalid_template_lists_every_error_and_saves_nothing(
    client: FlaskClient, users: dict[Role, User], session: Session
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    data = yaml.safe_load(EXAMPLE_TEMPLATE.read_text())
    data["id"] = "never-saved"
    data["surprise"] = 1
    data["sections"][1]["questions"][0]["scale"] = "rag"
    response = _upload(client, yaml.safe_dump(data).encode(), "broken.yaml")
    assert response.status_code == 200
    soup = page(response)
    assert soup.title.get_text().startswith("Error:")
    rows = [text_of(row) for row in soup.select("#template-problems tbody tr")]
    assert any("(the whole file)" in row and "unknown key 'surprise'" in row for row in rows)
    assert any("sections[1].questions[0].scale" in row for row in rows)
    assert session.scalar(select(AuditTemplate).where(AuditTemplate.key == "never-saved")) is None


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.yaml", "must not be empty"),
        (b"id: [", "broken.yaml", "not valid YAML"),
        (b"a,b\n1,2\n", "template.csv", "must be a .yaml or .yml file"),
        (b"x" * (1024 * 1024 + 1), "big.yaml", "1 MB or less"),
    ],
)
def test_upload_bad_files(
    client: FlaskClient, users: dict[Role, User], content: bytes, filename: str, message: str
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = _upload(client, content, filename)
    assert response.status_code == 200
    assert message in text_of(page(response))


def test_upload_without_a_file(client: FlaskClient, users: dict[Role, User]) -> None:
    sign_in(client, users[Role.ADMIN].email)
    soup = page(client.get("/admin/templates/upload"))
    response = client.post("/admin/templates/upload", data={"csrf_token": csrf_token(soup)})
    assert "Select a template file" in text_of(page(response))


# --- Every answer type round-trips: form data in, stored value, summary out ----------------

ROUND_TRIPS: list[tuple[str, dict[str, Any], Any, str, list[str]]] = [
    ("early_help_offered", {"early_help_offered": "no"}, "no", "No", ["worried_about"]),
    (
        "missed_opportunity",
        {"missed_opportunity": "  GP saw her twice  "},
        "GP saw her twice",
        "GP saw her twice",
        ["worried_about"],
    ),
    ("who_referred", {"who_referred": "gp"}, "gp", "GP", ["working_well"]),
    (
        "services",
        {"services": ["camhs", "social_care"]},
        ["camhs", "social_care"],
        "CAMHS, Social care",
        ["working_well"],
    ),
    (
        "overall",
        {"overall": "requires_improvement", "overall__rationale": "Late plan"},
        "requires_improvement",
        "Requires improvement",
        ["worried_about"],
    ),
    ("confidence", {"confidence": "high"}, "high", "High", ["working_well"]),
    (
        "referral_date",
        {"referral_date": ["3", "2", "2021"]},
        "2021-02-03",
        "3 February 2021",
        [],  # a date is a fact: in no column
    ),
    ("days_waited", {"days_waited": "42"}, 42, "42 days", []),
    (
        "chronology",
        {
            "chronology-0-when": ["5", "6", "2020"],
            "chronology-0-what": "Seen in ED",
            "chronology-1-when": ["1", "1", "2020"],
            "chronology-1-what": "GP visit",
            "chronology-2-what": "",
        },
        [{"date": "2020-01-01", "text": "GP visit"}, {"date": "2020-06-05", "text": "Seen in ED"}],
        "1 Jan 2020: GP visit\n5 Jun 2020: Seen in ED",
        [],
    ),
]


@pytest.mark.parametrize(
    ("question_id", "form_data", "stored", "summary", "columns"),
    ROUND_TRIPS,
    ids=[row[0] for row in ROUND_TRIPS],
)
def test_every_answer_type_round_trips(
    app: Flask,
    question_id: str,
    form_data: dict[str, Any],
    stored: Any,
    summary: str,
    columns: list[str],
) -> None:
    definition = template_format.parse(EXAMPLE_TEMPLATE.read_bytes())
    section = next(s for s in definition.sections if any(q.id == question_id for q in s.questions))
    question = definition.question(question_id)
    handler = ANSWER_TYPES[question.type]
    formdata = MultiDict()
    for key, value in form_data.items():
        for item in value if isinstance(value, list) else [value]:
            formdata.add(key, item)
    with app.test_request_context(method="POST"):
        form = section_form(definition, section, formdata=formdata, meta={"csrf": False})
        form.validate()
        assert question_id not in form.errors, form.errors
        kept = stored_answers(form)[question_id]
        assert kept == stored
        assert handler.summary(kept, question, definition.scales) == summary
        assert handler.columns(kept, question, definition.scales) == columns
        # And back into a form, as a reviewer returning to a draft would see it.
        refilled = section_form(definition, section, {question_id: kept}, read_only=True)
        assert stored_answers(refilled)[question_id] == stored
        if question.type == "grade" and question.rationale == "required":
            assert stored_rationales(form) == {question_id: "Late plan"}


def test_a_required_rationale_and_bad_values_are_refused(app: Flask) -> None:
    definition = template_format.parse(EXAMPLE_TEMPLATE.read_bytes())
    quality = definition.sections[1]
    formdata = MultiDict(
        [
            ("overall", "good"),
            ("confidence", "unsure"),
            ("days_waited", "-3"),
            ("referral_date", "31"),
            ("referral_date", "2"),
            ("referral_date", "2021"),
        ]
    )
    with app.test_request_context(method="POST"):
        form = section_form(definition, quality, formdata=formdata, meta={"csrf": False})
        assert not form.validate()
        assert "Give the reason for the grade" in form.errors["overall__rationale"][0]
        assert "confidence" in form.errors
        assert form.errors["days_waited"] == ["Enter a whole number of 0 or more"]
        assert "must be a real date" in form.errors["referral_date"][0]


def test_required_questions_say_what_to_answer(app: Flask) -> None:
    definition = template_format.parse(EXAMPLE_TEMPLATE.read_bytes())
    with app.test_request_context(method="POST"):
        form = section_form(
            definition, definition.sections[0], formdata=MultiDict(), meta={"csrf": False}
        )
        assert not form.validate()
        assert form.errors["early_help_offered"] == [
            "Answer 'Was early help offered before the crisis?'"
        ]
        assert "services" not in form.errors  # optional


def test_dates_round_trip_through_to_form(app: Flask) -> None:
    assert ANSWER_TYPES["date"].to_form("2021-02-03") == date(2021, 2, 3)
    assert template_library.SHIPPED_TEMPLATES.is_dir()


def test_the_preview_shows_the_template_as_each_sector_sees_it(
    session: Session, client: FlaskClient, users: dict[Role, User]
) -> None:
    path = SHIPPED_TEMPLATES / "children-in-crisis.yaml"
    definition = template_format.parse(path.read_bytes(), path.name)
    version = load_template(session, path.read_bytes(), path.name).version
    session.commit()
    sign_in(client, users[Role.ADMIN].email)
    url = f"/admin/templates/versions/{version.id}"
    every = page(client.get(url))
    assert "Primary care (GP)" in text_of(every)
    assert every.select_one(f"a[href='{url}?sector=primary_care']") is not None
    for sector in ("primary_care", "mental_health"):
        shown = page(client.get(f"{url}?sector={sector}"))
        asked = [q.text for q in definition.for_sector(sector).questions]
        assert _previewed(shown) == asked, sector
        estimate = estimate_return(definition.for_sector(sector))
        assert f"{estimate.questions} questions, about {estimate.minutes} minutes a child" in (
            text_of(every)
        )
    assert _previewed(every) == [q.text for q in definition.questions]
    # An unknown sector shows every question.
    assert _previewed(page(client.get(f"{url}?sector=hospital"))) == _previewed(every)
    gp = _previewed(page(client.get(f"{url}?sector=primary_care")))
    camhs = _previewed(page(client.get(f"{url}?sector=mental_health")))
    assert gp != camhs


def _previewed(soup: Any) -> list[str]:
    """The questions a preview page shows, by their text, in order."""
    return [
        hidden.get_text().removeprefix(": ")
        for hidden in soup.select("details.app-preview-details summary .govuk-visually-hidden")
    ]
