"""The panel's themes through its pages: add, rename and describe (version-checked), merge,
delete, the reach table and each theme's items; scope (another audit's theme is 404, a panel
member of another audit 403) and statement counts that do not grow with the cohort."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit_app.models import (
    AgencyReturn,
    Answer,
    Audit,
    ChronologyEntry,
    EvidenceItem,
    EvidenceKind,
    EvidenceSource,
    SignsOfSafetyColumn,
    SummaryItem,
    Theme,
    ThemeTag,
)
from audit_app.panel import themes
from audit_app.questionnaires.answer_types import answer_type
from tests.conftest import csrf_token, page, text_of
from tests.integration.panel.conftest import PanelClients
from tests.integration.panel.world import PanelWorld


def base(world: PanelWorld) -> str:
    return f"/panel/{world.audit.id}/themes"


def token(client: FlaskClient, url: str) -> str:
    return csrf_token(page(client.get(url)))


def answers_of(session: Session, world: PanelWorld, question_id: str) -> list[Answer]:
    return list(
        session.scalars(
            select(Answer)
            .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
            .where(AgencyReturn.audit_id == world.audit.id, Answer.question_id == question_id)
            .order_by(AgencyReturn.member_id, AgencyReturn.agency_id)
        )
    )


def first_answered_question(session: Session, world: PanelWorld) -> str:
    """A question every agency answered for every child it knows."""
    counts: dict[str, int] = {}
    for question_id in session.scalars(
        select(Answer.question_id)
        .join(AgencyReturn, AgencyReturn.id == Answer.return_id)
        .where(AgencyReturn.audit_id == world.audit.id)
    ):
        counts[question_id] = counts.get(question_id, 0) + 1
    return max(counts, key=lambda question_id: (counts[question_id], question_id))


def evidence_item(session: Session, world: PanelWorld) -> EvidenceItem:
    source = EvidenceSource(
        audit_id=world.audit.id,
        kind=EvidenceKind.PROFESSIONAL_INTERVIEW,
        title="Interview with a school nurse",
        agency_id=world.agencies[1].id,
    )
    item = EvidenceItem(
        audit_id=world.audit.id,
        source=source,
        column=SignsOfSafetyColumn.WORRIED_ABOUT,
        text="Schools hear about a crisis last",
    )
    session.add(item)
    session.flush()
    return item


def test_a_theme_is_added_tagged_renamed_merged_and_deleted(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    url = base(world)
    words = text_of(page(chair.get(url)))
    assert "There are no themes yet" in words
    assert "Choose from" in words and "Communication with schools" in words  # the template's

    response = chair.post(
        f"{url}/new",
        data={
            "csrf_token": token(chair, url),
            "name": "  Communication   with schools ",
            "description": "Schools told late, or not at all",
        },
    )
    assert response.status_code == 302 and response.location.endswith(f"{url}#themes")
    theme = session.scalars(select(Theme).where(Theme.audit_id == world.audit.id)).one()
    assert (theme.name, theme.description) == (
        "Communication with schools",
        "Schools told late, or not at all",
    )

    # Tag the answers of two children in two agencies and an evidence item.
    question_id = first_answered_question(session, world)
    picked = [
        answer
        for answer in answers_of(session, world, question_id)
        if answer.agency_return.member_id in (world.members[0].id, world.members[1].id)
        and answer.agency_return.agency_id in (world.agencies[0].id, world.agencies[1].id)
    ]
    assert len(picked) == 4
    evidence = evidence_item(session, world)
    for answer in picked:
        session.add(ThemeTag(theme_id=theme.id, answer_id=answer.id))
    session.add(ThemeTag(theme_id=theme.id, evidence_item_id=evidence.id))
    session.commit()

    soup = page(chair.get(url))
    row = soup.find("a", string="Communication with schools").find_parent("tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
    assert cells[:3] == ["2", "2", "5"]
    assert cells[3] == "New in this audit"
    # Used names are no longer suggested.
    assert (
        soup.find("input", attrs={"name": "suggested", "value": "Communication with schools"})
        is None
    )

    theme_url = f"{url}/{theme.id}"
    soup = page(chair.get(theme_url))
    words = text_of(soup)
    assert "Theme: Communication with schools" in words
    assert "It touches 2 children and 2 agencies, through 5 tagged items" in words
    definition = world.definition
    question = definition.question(question_id)
    assert question is not None and question.text in words
    summary = answer_type(question).summary(picked[0].value, question, definition.scales)
    assert summary in words
    assert "Child A" in words and "Child B" in words and "Children's Social Care" in words
    assert "Interview with a school nurse" in words and "Schools hear about a crisis last" in words
    assert "Amelia" not in words  # children by code only

    # Rename and describe.
    version = soup.find("input", attrs={"name": "version"})["value"]
    response = chair.post(
        theme_url,
        data={
            "csrf_token": csrf_token(soup),
            "version": version,
            "name": "Working with schools",
            "description": "How agencies and schools share what they know",
        },
    )
    assert response.status_code == 302
    session.refresh(theme)
    assert theme.name == "Working with schools"
    assert "The theme has been saved" in text_of(page(chair.get(theme_url)))

    # Merge a second theme into it: the shared answer keeps one tag.
    response = chair.post(
        f"{url}/new", data={"csrf_token": token(chair, url), "name": "Talking to schools"}
    )
    assert response.status_code == 302
    other = session.scalars(select(Theme).where(Theme.name == "Talking to schools")).one()
    session.add(ThemeTag(theme_id=other.id, answer_id=picked[0].id))
    entry = session.scalars(
        select(ChronologyEntry).where(ChronologyEntry.return_id == picked[0].return_id)
    ).first()
    session.add(ThemeTag(theme_id=other.id, chronology_entry_id=entry.id))
    session.commit()
    soup = page(chair.get(f"{url}/{other.id}"))
    select_ = soup.find("select", attrs={"name": "into"})
    assert [o.get_text() for o in select_.find_all("option")] == ["Working with schools"]
    confirm = page(chair.get(f"{url}/{other.id}/merge?into={theme.id}"))
    words = text_of(confirm)
    assert "Merge 'Talking to schools' into 'Working with schools'" in words
    assert "the 2 items tagged 'Talking to schools' will be tagged 'Working with schools'" in words
    response = chair.post(
        f"{url}/{other.id}/merge", data={"csrf_token": csrf_token(confirm), "into": theme.id}
    )
    assert response.status_code == 302 and response.location.endswith(theme_url)
    other_id = other.id
    session.expire_all()
    assert session.get(Theme, other_id) is None
    assert themes.reach_of(session, world.audit)[theme.id] == themes.Reach(2, 2, 6)
    assert "1 tagged item moved, 1 already tagged there" in text_of(page(chair.get(theme_url)))

    # Delete, after a confirmation.
    confirm = page(chair.get(f"{theme_url}/delete"))
    assert "it comes off the 6 items it tags" in text_of(confirm)
    response = chair.post(f"{theme_url}/delete", data={"csrf_token": csrf_token(confirm)})
    assert response.status_code == 302
    theme_id = theme.id
    session.expire_all()
    assert session.get(Theme, theme_id) is None
    assert session.scalars(select(ThemeTag)).all() == []
    assert session.get(EvidenceItem, evidence.id) is not None
    assert "The theme 'Working with schools' has been deleted" in text_of(page(chair.get(url)))


def test_a_name_already_used_is_refused_naming_it(
    panel_world: PanelClients, session: Session
) -> None:
    world, lead = panel_world.world, panel_world.lead
    session.add(Theme(audit_id=world.audit.id, name="Early help"))
    session.commit()
    url = base(world)
    soup = page(
        lead.post(
            f"{url}/new",
            data={"csrf_token": token(lead, url), "name": "EARLY HELP", "description": "Mine"},
        )
    )
    assert soup.title.get_text().startswith("Error:")
    assert "There is already a theme called 'Early help'" in text_of(soup)
    assert soup.find("input", attrs={"name": "name"})["value"] == "EARLY HELP"
    assert soup.find("textarea", attrs={"name": "description"}).get_text() == "Mine"
    assert session.scalars(select(Theme).where(Theme.audit_id == world.audit.id)).all()[0].name == (
        "Early help"
    )


def test_suggested_themes_are_added_in_one_go(panel_world: PanelClients, session: Session) -> None:
    world, chair = panel_world.world, panel_world.chair
    url = base(world)
    soup = page(chair.get(url))
    offered = [box["value"] for box in soup.find_all("input", attrs={"name": "suggested"})]
    assert "Early help" in offered and "Child's voice" in offered
    response = chair.post(
        f"{url}/suggested",
        data={"csrf_token": csrf_token(soup), "suggested": ["Early help", "Child's voice"]},
    )
    assert response.status_code == 302
    names = session.scalars(select(Theme.name).where(Theme.audit_id == world.audit.id)).all()
    assert sorted(names) == ["Child's voice", "Early help"]
    nothing = chair.post(f"{url}/suggested", data={"csrf_token": token(chair, url)})
    assert "Choose at least one suggested theme" in text_of(page(nothing))


def test_a_stale_save_shows_the_typed_words_back(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    theme = Theme(audit_id=world.audit.id, name="Voice", description="")
    session.add(theme)
    session.commit()
    theme_url = f"{base(world)}/{theme.id}"
    soup = page(chair.get(theme_url))
    version = soup.find("input", attrs={"name": "version"})["value"]
    # Someone else saves first.
    themes.update_theme(session, world.audit, theme, theme.version, "Child's voice", "Theirs")
    session.commit()
    response = chair.post(
        theme_url,
        data={
            "csrf_token": csrf_token(soup),
            "version": version,
            "name": "The voice of the child",
            "description": "What I typed about the voice of the child",
        },
    )
    assert response.status_code == 200
    soup = page(response)
    words = text_of(soup)
    assert "Someone else changed this theme" in words
    typed = soup.find(id="your-words")
    assert "The voice of the child" in typed.get_text()
    assert "What I typed about the voice of the child" in typed.get_text()
    # The form shows their version, with its version number, to save over knowingly.
    assert soup.find("input", attrs={"name": "name"})["value"] == "Child's voice"
    assert soup.find("input", attrs={"name": "version"})["value"] == str(theme.version)
    session.expire_all()
    assert (theme.name, theme.description) == ("Child's voice", "Theirs")


def test_a_tag_is_removed_from_the_themes_page(panel_world: PanelClients, session: Session) -> None:
    world, chair = panel_world.world, panel_world.chair
    theme = Theme(audit_id=world.audit.id, name="Voice")
    session.add(theme)
    session.flush()
    item = session.scalars(select(SummaryItem)).first()
    kept = ThemeTag(theme_id=theme.id, summary_item_id=item.id)
    session.add(kept)
    session.commit()
    theme_url = f"{base(world)}/{theme.id}"
    soup = page(chair.get(theme_url))
    assert item.text[:40] in text_of(soup)
    form = soup.find("input", attrs={"name": "tag_id", "value": str(kept.id)}).find_parent("form")
    response = chair.post(
        form["action"], data={"csrf_token": csrf_token(soup), "tag_id": str(kept.id)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.scalars(select(ThemeTag)).all() == []
    assert session.get(SummaryItem, item.id) is not None


def test_another_audits_theme_is_not_found(panel_world: PanelClients, session: Session) -> None:
    world, chair = panel_world.world, panel_world.chair
    ours = Theme(audit_id=world.audit.id, name="Voice")
    theirs = Theme(audit_id=world.other_audit.id, name="Voice")
    session.add_all([ours, theirs])
    session.flush()
    their_tag = ThemeTag(theme_id=theirs.id, evidence_item_id=evidence_item(session, world).id)
    session.add(their_tag)
    session.commit()
    url = base(world)
    for path in (f"/{theirs.id}", f"/{theirs.id}/merge", f"/{theirs.id}/delete"):
        assert chair.get(url + path).status_code == 404, path
    assert chair.get(f"{url}/{ours.id}/merge?into={theirs.id}").status_code == 404
    csrf = token(chair, url)
    assert (
        chair.post(
            f"{url}/{ours.id}/merge", data={"csrf_token": csrf, "into": theirs.id}
        ).status_code
        == 404
    )
    assert (
        chair.post(
            f"{url}/{ours.id}/untag", data={"csrf_token": csrf, "tag_id": their_tag.id}
        ).status_code
        == 404
    )
    assert chair.post(f"{url}/{theirs.id}/delete", data={"csrf_token": csrf}).status_code == 404
    session.expire_all()
    assert session.get(Theme, theirs.id) is not None


def test_a_panel_member_of_another_audit_is_refused(
    panel_world: PanelClients, session: Session
) -> None:
    world, other = panel_world.world, panel_world.other_panel
    theme = Theme(audit_id=world.audit.id, name="Voice")
    session.add(theme)
    session.commit()
    url = base(world)
    for path in ("", f"/{theme.id}", f"/{theme.id}/merge", f"/{theme.id}/delete"):
        assert other.get(url + path).status_code == 403, path
    csrf = token(other, "/")  # their own session's token
    posts = ("/new", "/suggested", f"/{theme.id}", f"/{theme.id}/merge", f"/{theme.id}/delete")
    for path in (*posts, f"/{theme.id}/untag"):
        response = other.post(url + path, data={"csrf_token": csrf, "name": "X"})
        assert response.status_code == 403, path
    session.expire_all()
    assert session.get(Theme, theme.id) is not None


def test_the_earlier_audits_themes_show_as_recurring(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    earlier = Audit(title="Children in crisis 2021", created_at=datetime(2021, 6, 1, tzinfo=UTC))
    session.add(earlier)
    session.flush()
    session.add_all(
        [
            Theme(audit_id=earlier.id, name="communication with  schools"),
            Theme(audit_id=world.audit.id, name="Communication with schools"),
        ]
    )
    session.commit()
    soup = page(chair.get(base(world)))
    row = soup.find("a", string="Communication with schools").find_parent("tr")
    assert "Recurring: also in 'Children in crisis 2021'" in row.get_text(" ", strip=True)


# --- Statement counts ------------------------------------------------------------------------


def test_words_sent_with_an_expired_form_are_shown_again(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    theme = Theme(audit_id=world.audit.id, name="Voice")
    session.add(theme)
    session.commit()
    response = chair.post(
        f"{base(world)}/{theme.id}",
        data={"csrf_token": "expired", "version": "0", "name": "Voices", "description": "Kept"},
    )
    soup = page(response)
    assert "have not been saved yet" in text_of(soup)
    assert soup.find("input", attrs={"name": "name"})["value"] == "Voices"
    assert soup.find("textarea", attrs={"name": "description"}).get_text() == "Kept"
    session.expire_all()
    assert theme.name == "Voice"


def test_an_edit_of_a_theme_deleted_meanwhile_keeps_the_words(
    panel_world: PanelClients, session: Session
) -> None:
    world, chair = panel_world.world, panel_world.chair
    theme = Theme(audit_id=world.audit.id, name="Voice")
    session.add(theme)
    session.commit()
    url = f"{base(world)}/{theme.id}"
    token = csrf_token(page(chair.get(url)))
    session.delete(theme)
    session.commit()
    sent = {"version": "1", "name": "Voices", "description": "Typed while it went"}
    for token_sent in (token, "expired"):
        soup = page(chair.post(url, data={"csrf_token": token_sent, **sent}))
        assert "Someone else deleted this theme" in text_of(soup.find(class_="govuk-error-summary"))
        assert soup.find("input", attrs={"name": "name"})["value"] == "Voices"
        assert soup.find("textarea", attrs={"name": "description"}).get_text() == (
            "Typed while it went"
        )
    assert chair.get(url).status_code == 404  # reading it is still "not found"
