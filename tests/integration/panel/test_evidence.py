"""The panel's evidence pages: every page and every POST, bad input refused with an error
summary linking to its field and nothing stored, scope (403 for another audit's panel, 404
for another audit's source), version-checked edits, and statement counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.models import CohortMember, EvidenceItem, EvidenceKind, EvidenceSource
from audit_app.panel import evidence
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.statements import recorded_statements
from tests.unit.cohort.test_population import zip_bomb


def _url(world: Any, rest: str = "") -> str:
    return f"/panel/{world.audit.id}/evidence{rest}"


def _form(soup: BeautifulSoup, action: str | None = None) -> dict[str, Any]:
    """The fields of the page's POST form (the one posting to ``action``, else the last)."""
    forms = [f for f in soup.find_all("form") if (f.get("method") or "").lower() == "post"]
    forms = [f for f in forms if "sign-out" not in (f.get("action") or "")]
    form = next((f for f in forms if f.get("action") == action), forms[-1])
    data: dict[str, Any] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "file", "checkbox"):
            continue
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif field.get("type") == "text" and name in data:  # a date's parts
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]),
                          field.get("value", "")]  # fmt: skip
        else:
            data[name] = field.get("value", "")
    return data


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _post(client: FlaskClient, url: str, typed: dict[str, Any], **kwargs: Any) -> Any:
    soup = page(client.get(url))
    data = {**_form(soup), **typed}
    data["csrf_token"] = csrf_token(soup)
    return client.post(url, data=data, **kwargs)


def _count(session: Session, model: Any) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _error_summary(response: Any) -> list[tuple[str, str]]:
    soup = page(response)
    summary = soup.find(class_="govuk-error-summary")
    assert summary is not None, text_of(soup)[:500]
    links = [(a.get_text(" ", strip=True), a["href"]) for a in summary.find_all("a")]
    for _, href in links:  # each links to something on the page
        assert href == "#main-content" or soup.find(id=href.lstrip("#")) is not None, href
    return links


def _source(session: Session) -> EvidenceSource:
    session.expire_all()
    return session.scalars(select(EvidenceSource).order_by(EvidenceSource.id.desc())).first()


# --- Adding each kind ------------------------------------------------------------------------


def test_the_evidence_page_starts_empty_with_links_to_add(panel_world: PanelClients) -> None:
    soup = page(panel_world.chair.get(_url(panel_world.world)))
    words = text_of(soup)
    assert "Evidence beyond the case files" in soup.h1.get_text()
    for link in ("Add an interview", "Add an engagement event", "Upload a survey",
                 "Add other evidence", "Tag these items on the board"):  # fmt: skip
        assert soup.find("a", string=link) is not None, link
    assert words.count("None yet.") == 4
    board = soup.find("a", string="Tag these items on the board")["href"]
    assert board == f"/panel/{panel_world.world.audit.id}/board?kind=evidence"


def test_an_interview_is_added(panel_world: PanelClients, session: Session) -> None:
    world = panel_world.world
    camhs = world.agencies[1]
    response = _post(
        panel_world.chair,
        _url(world, "/interviews/new"),
        {
            "role": "Team manager",
            "agency_id": str(camhs.id),
            "held_on": _date(date.today()),
            "working_well": "Quick consultations",
            "worried_about": "Waiting lists",
            "needs_to_happen": "",
        },
    )
    assert response.status_code == 302
    source = _source(session)
    assert source.kind is EvidenceKind.PROFESSIONAL_INTERVIEW
    assert source.agency_id == camhs.id and source.created_by_id == world.chair.id
    soup = page(panel_world.chair.get(response.location))
    words = text_of(soup)
    assert f"Interview with Team manager, {camhs.name}" in soup.h1.get_text()
    assert "The interview has been added." in words
    assert "Quick consultations" in words and "Waiting lists" in words
    listing = text_of(page(panel_world.chair.get(_url(world))))
    assert f"Team manager, {camhs.name}" in listing


@pytest.mark.parametrize(
    ("typed", "field", "words"),
    [
        ({"role": ""}, "role", "Enter the role of the person interviewed"),
        ({"agency_id": ""}, "agency_id", "Choose an agency, or Another organisation"),
        ({"held_on": ["31", "2", "2025"]}, "held_on", "must be a real date"),
        ({"held_on": "future"}, "held_on", "today or in the past"),
        ({"working_well": "", "worried_about": ""}, "working_well", "what is working well"),
        ({"worried_about": "x" * 5001}, "worried_about", "5,000 characters or fewer"),
    ],
)
def test_a_bad_interview_is_refused_and_nothing_stored(
    panel_world: PanelClients, session: Session, typed: dict[str, Any], field: str, words: str
) -> None:
    world = panel_world.world
    good = {
        "role": "Team manager",
        "agency_id": "other",
        "held_on": _date(date.today()),
        "working_well": "",
        "worried_about": "Waiting lists",
    }
    if typed.get("held_on") == "future":
        typed = {"held_on": _date(date.today() + timedelta(days=1))}
    response = _post(panel_world.chair, _url(world, "/interviews/new"), {**good, **typed})
    assert response.status_code == 200
    links = _error_summary(response)
    assert any(words in text and href == f"#{field}" for text, href in links), links
    assert _count(session, EvidenceSource) == 0
    assert _count(session, EvidenceItem) == 0


def test_the_interview_form_has_character_counts(panel_world: PanelClients) -> None:
    soup = page(panel_world.chair.get(_url(panel_world.world, "/interviews/new")))
    counts = soup.find_all(attrs={"data-module": "govuk-character-count"})
    assert len(counts) == 3
    assert {c["data-maxlength"] for c in counts} == {"5000"}


def test_an_engagement_event_with_quotes_is_added(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    response = _post(
        panel_world.lead,
        _url(world, "/events/new"),
        {
            "title": "Coventry engagement event",
            "held_on": _date(date(2024, 11, 5)),
            "participants": "71",
            "notes": "Young people told us about being heard",
            "quote_1-text": "My worker actually listens",
            "quote_1-column": "working_well",
            "quote_3-text": "Nobody explained what was happening",
            "quote_3-column": "worried_about",
        },
    )
    assert response.status_code == 302
    source = _source(session)
    assert source.participants == 71 and source.kind is EvidenceKind.CHILD_VOICE
    assert sorted((i.column.value, i.is_quote) for i in source.items) == [
        ("working_well", True),
        ("worried_about", True),
    ]
    words = text_of(page(panel_world.lead.get(response.location)))
    assert "“My worker actually listens”" in words
    assert "How many took part 71" in words


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"participants": "0"}, "participants"),
        ({"participants": "100001"}, "participants"),
        ({"participants": "lots"}, "participants"),
        ({"title": ""}, "title"),
        ({"quote_2-text": "x" * 5001}, "quote_2-text"),
    ],
)
def test_a_bad_event_is_refused_and_nothing_stored(
    panel_world: PanelClients, session: Session, typed: dict[str, Any], field: str
) -> None:
    good = {"title": "Event", "held_on": _date(date(2024, 11, 5)), "participants": "12"}
    response = _post(panel_world.chair, _url(panel_world.world, "/events/new"), {**good, **typed})
    assert response.status_code == 200
    assert any(href == f"#{field}" for _, href in _error_summary(response))
    assert _count(session, EvidenceSource) == 0


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client: FlaskClient, world: Any, raw: bytes, name: str) -> Any:
    return _post(
        client,
        _url(world, "/surveys/new"),
        {
            "title": "Young people's survey",
            "held_on": _date(date(2025, 1, 10)),
            "file": (io.BytesIO(raw), name),
        },
        content_type="multipart/form-data",
    )


def test_a_survey_is_uploaded_and_shown_as_counts_with_charts(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    rows: list[list[object]] = [[f"Question {n}" for n in range(1, 6)] + ["Anything else?"]]
    rows += [["Yes", "No", "Sometimes", "Yes", "No", f"Free words {n}"] for n in range(60)]
    response = _upload(panel_world.chair, world, _xlsx(rows), "survey.xlsx")
    assert response.status_code == 302, text_of(page(response))[:400]
    source = _source(session)
    assert source.kind is EvidenceKind.SURVEY and source.participants == 60
    assert source.survey["file"] == "survey.xlsx"
    soup = page(panel_world.chair.get(response.location))
    words = text_of(soup)
    assert "The survey has been read: 60 responses to 6 questions." in words
    assert "Free text: 60 answers" in words
    images = soup.find_all("img", class_="app-evidence-chart")
    assert len(images) == 5  # questions 1 to 5; question 6 is free text
    assert soup.find(id="question-1").find("img")["alt"].startswith("Question 1.")
    # Each chart is an image of its own; its figures are in the table beside it.
    picture = panel_world.chair.get(images[4]["src"])
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert b"<svg" in picture.data and b"Question 5" in picture.data
    free_text_chart = images[4]["src"].replace("/questions/5/", "/questions/6/")
    assert panel_world.chair.get(free_text_chart).status_code == 404
    assert panel_world.other_panel.get(images[0]["src"]).status_code == 403


@pytest.mark.parametrize(
    ("raw", "name", "words"),
    [
        (b"%PDF-1.7 binary", "survey.pdf", "is a .pdf file"),
        (b"%PDF-1.7" + bytes(range(1, 32)) * 40, "survey.csv", "not a CSV file"),
        (b"\nQ1,Q2\nYes,No\n", "survey.csv", "first row of 'survey.csv' is blank"),
        (b"Yes,No\nNo,No\nYes,Yes\n", "survey.csv", "looks like a response"),
        (b"Safe?,Age,Safe?\nYes,12,No\n", "survey.csv", "'Safe?' is in the first row more"),
        (b"Q1\n" + b"Yes\n" * 100_000, "survey.csv", "more than 10,000 responses"),
        (b"PK\x03\x04 damaged", "survey.xlsx", "not a valid Excel workbook"),
    ],
    ids=["pdf", "binary", "no-header", "answers-as-header", "duplicate", "100000-rows", "damaged"],
)
def test_a_bad_survey_is_refused_naming_what_is_wrong_and_nothing_stored(
    panel_world: PanelClients, session: Session, raw: bytes, name: str, words: str
) -> None:
    response = _upload(panel_world.chair, panel_world.world, raw, name)
    assert response.status_code == 200
    links = _error_summary(response)
    assert any(words in text and href == "#file" for text, href in links), links
    assert _count(session, EvidenceSource) == 0


def test_a_zip_bomb_survey_is_refused(panel_world: PanelClients, session: Session) -> None:
    response = _upload(panel_world.chair, panel_world.world, zip_bomb(), "survey.xlsx")
    assert response.status_code == 200
    links = _error_summary(response)
    assert any("too large once unpacked" in text for text, _ in links), links
    assert _count(session, EvidenceSource) == 0


def test_other_evidence_is_added(panel_world: PanelClients, session: Session) -> None:
    response = _post(
        panel_world.chair,
        _url(panel_world.world, "/other/new"),
        {"title": "Ofsted report", "notes": "Read by the chair", "worried_about": "Drift"},
    )
    assert response.status_code == 302
    source = _source(session)
    assert source.held_on is None and [i.text for i in source.items] == ["Drift"]


# --- A source's page: items ------------------------------------------------------------------


def _other(session: Session, world: Any, *texts: str) -> EvidenceSource:
    source = evidence.add_other(
        session, world.audit, evidence.Other("Ofsted report", None, "", *texts), None
    )
    session.commit()
    return source


def test_items_are_added_edited_and_removed_on_the_source_page(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    source = _other(session, world, "Strong early help")
    url = _url(world, f"/{source.id}")
    response = _post(
        panel_world.chair,
        url,
        {
            "text": "Drift in planning",
            "column": "worried_about",
            "count": "4",
            "action": "add",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    added = next(i for i in _source(session).items if i.text == "Drift in planning")
    assert added.count == 4 and added.column.value == "worried_about"
    # Edit it.
    edit_url = f"{url}?item={added.id}"
    soup = page(panel_world.chair.get(edit_url))
    assert soup.find("textarea", attrs={"name": "text"}).get_text() == "Drift in planning"
    data = {**_form(soup, url), "text": "Drift in plans", "column": "needs_to_happen",
            "action": "save", "csrf_token": csrf_token(soup)}  # fmt: skip
    assert panel_world.chair.post(url, data=data).status_code == 302
    session.expire_all()
    assert session.get(EvidenceItem, added.id).text == "Drift in plans"
    # Saving again from the same (stale) page: refused, the words shown back.
    data["text"] = "My other words"
    response = panel_world.chair.post(url, data=data)
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else changed this evidence" in text_of(soup)
    assert "My other words" in soup.find(id="your-text").get_text()
    assert session.get(EvidenceItem, added.id).text == "Drift in plans"
    # Remove it.
    soup = page(panel_world.chair.get(url))
    response = panel_world.chair.post(
        url, data={"csrf_token": csrf_token(soup), "action": f"remove-{added.id}"}
    )
    assert response.status_code == 302
    assert _count(session, EvidenceItem) == 1


def test_a_bad_item_is_refused_with_the_field_named(
    panel_world: PanelClients, session: Session
) -> None:
    source = _other(session, panel_world.world)
    url = _url(panel_world.world, f"/{source.id}")
    response = _post(panel_world.chair, url, {"text": "x" * 5001, "column": "working_well"})
    assert response.status_code == 200
    assert any(href == "#text" for _, href in _error_summary(response))
    response = _post(panel_world.chair, url, {"text": "   ", "column": "working_well"})
    assert any(href == "#text" for _, href in _error_summary(response))
    assert _count(session, EvidenceItem) == 0


def test_editing_details_is_version_checked(panel_world: PanelClients, session: Session) -> None:
    source = _other(session, panel_world.world, "a")
    url = _url(panel_world.world, f"/{source.id}/edit")
    soup = page(panel_world.chair.get(url))
    data = {**_form(soup), "title": "Ofsted inspection report", "csrf_token": csrf_token(soup)}
    assert panel_world.chair.post(url, data=data).status_code == 302
    assert _source(session).title == "Ofsted inspection report"
    data["title"] = "My title"
    data["notes"] = "My notes"
    response = panel_world.chair.post(url, data=data)
    assert response.status_code == 200
    soup = page(response)
    assert "Someone else changed this evidence" in text_of(soup)
    assert "My notes" in soup.find(id="your-text").get_text()
    assert _source(session).title == "Ofsted inspection report"
    # A blank title: named.
    soup = page(panel_world.chair.get(url))
    data = {**_form(soup), "title": "", "csrf_token": csrf_token(soup)}
    assert any(
        href == "#title" for _, href in _error_summary(panel_world.chair.post(url, data=data))
    )


def test_a_source_is_deleted_after_confirmation(
    panel_world: PanelClients, session: Session
) -> None:
    source = _other(session, panel_world.world, "a", "b")
    url = _url(panel_world.world, f"/{source.id}/delete")
    soup = page(panel_world.chair.get(url))
    assert "Its 2 items go with it" in text_of(soup)
    response = _post(panel_world.chair, url, {})
    assert response.status_code == 302 and response.location == _url(panel_world.world)
    assert _count(session, EvidenceSource) == 0 and _count(session, EvidenceItem) == 0


# --- Scope -----------------------------------------------------------------------------------


def test_another_audits_panel_is_refused_everywhere(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    source = _other(session, world, "a")
    client = panel_world.other_panel
    token = csrf_token(BeautifulSoup(client.get("/account/password").data, "html.parser"))
    for rest in ("", "/interviews/new", "/events/new", "/surveys/new", "/other/new",
                 f"/{source.id}", f"/{source.id}/edit", f"/{source.id}/delete"):  # fmt: skip
        assert client.get(_url(world, rest)).status_code == 403, rest
        response = client.post(_url(world, rest), data={"csrf_token": token})
        assert response.status_code in (403, 405), rest


def test_a_source_of_another_audit_is_not_found(
    panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    source = evidence.add_other(
        session, world.other_audit, evidence.Other("Elsewhere", None, "", "a"), None
    )
    session.commit()
    item = source.items[0]
    mine = _other(session, world, "b")
    client = panel_world.chair
    for rest in (f"/{source.id}", f"/{source.id}/edit", f"/{source.id}/delete"):
        assert client.get(_url(world, rest)).status_code == 404, rest
    # Another audit's item named on this audit's source page.
    assert client.get(_url(world, f"/{mine.id}?item={item.id}")).status_code == 404
    soup = page(client.get(_url(world, f"/{mine.id}")))
    response = client.post(
        _url(world, f"/{mine.id}"),
        data={"csrf_token": csrf_token(soup), "action": f"remove-{item.id}"},
    )
    assert response.status_code == 404
    data = {**_form(soup, _url(world, f"/{mine.id}")), "csrf_token": csrf_token(soup),
            "item_id": str(item.id), "text": "Mine now", "column": "working_well",
            "action": "save"}  # fmt: skip
    assert client.post(_url(world, f"/{mine.id}"), data=data).status_code == 404
    session.expire_all()
    assert session.get(EvidenceItem, item.id).text == "a"


# --- Statements ------------------------------------------------------------------------------


def test_the_evidence_page_runs_as_many_statements_whatever_it_lists(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    world = panel_world.world
    url = _url(world)
    _other(session, world, "a")
    evidence.add_interview(
        session, world.audit, world.agencies,
        evidence.Interview("Nurse", world.agencies[1].id, "", date(2025, 1, 1), "x"), None,
    )  # fmt: skip
    session.commit()
    panel_world.chair.get(url)
    with recorded_statements(app) as two:
        assert panel_world.chair.get(url).status_code == 200
    _other(session, world, "a", "b", "c")
    evidence.add_event(
        session, world.audit, evidence.Event("Event", date(2025, 1, 1), 5, "",
                                            [evidence.Quote("q", "working_well")]), None,
    )  # fmt: skip
    for n in range(2):
        session.add(CohortMember(audit_id=world.audit.id, code=f"Child Z{n}", position=10 + n))
    session.commit()
    with recorded_statements(app) as four:
        response = panel_world.chair.get(url)
    assert response.status_code == 200
    assert len(page(response).find_all("tbody")) == 3  # interviews, events, other
    assert four.count == two.count, f"{two}\n---\n{four}"


# --- What the route walk sends ---------------------------------------------------------------

WALK_TYPED: dict[str, dict[str, Any]] = {
    "panel.interview_new": {
        "role": "Designated safeguarding lead",
        "held_on": ["1", "2", "2025"],
        "working_well": "Concerns are shared early",
    },
    "panel.event_new": {"title": "Engagement event", "held_on": ["1", "2", "2025"],
                        "participants": "71"},
    "panel.survey_new": {"title": "Survey", "held_on": ["1", "2", "2025"]},
    "panel.other_evidence_new": {"title": "Ofsted report"},
    "panel.evidence_source": {"text": "Young people felt listened to", "column": "working_well"},
}  # fmt: skip
"""The typed fields the route walk (tests/integration/test_route_access.py) needs for each
POST route here, on top of the page's own form; the survey also needs a file."""


def test_the_walks_bodies_are_accepted(
    app: Flask, panel_world: PanelClients, session: Session
) -> None:
    from werkzeug.datastructures import MultiDict

    from tests.integration.test_route_access import _form_fields, _page_form

    world = panel_world.world
    source = _other(session, world, "a")
    urls = {
        "panel.interview_new": _url(world, "/interviews/new"),
        "panel.event_new": _url(world, "/events/new"),
        "panel.survey_new": _url(world, "/surveys/new"),
        "panel.other_evidence_new": _url(world, "/other/new"),
        "panel.evidence_source": _url(world, f"/{source.id}"),
        "panel.evidence_source_edit": _url(world, f"/{source.id}/edit"),
        "panel.evidence_delete": _url(world, f"/{source.id}/delete"),
    }
    client = panel_world.chair
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for endpoint, url in urls.items():
            before = _count(session, EvidenceSource), _count(session, EvidenceItem)
            form = _page_form(client.get(url).get_data(as_text=True), url, url)
            assert form is not None, endpoint
            data: MultiDict[str, Any] = _form_fields(form)
            for name, value in WALK_TYPED.get(endpoint, {}).items():
                data.setlist(name, value if isinstance(value, list) else [value])
            kwargs: dict[str, Any] = {}
            if endpoint == "panel.survey_new":
                data.add("file", (io.BytesIO(b"Do you feel safe?\nYes\nNo\n"), "survey.csv"))
                kwargs["content_type"] = "multipart/form-data"
            response = client.post(url, data=data, **kwargs)
            assert response.status_code == 302, (endpoint, text_of(page(response))[:600])
            after = _count(session, EvidenceSource), _count(session, EvidenceItem)
            assert after != before or endpoint == "panel.evidence_source_edit", endpoint
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
