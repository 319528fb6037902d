"""Verifying the draw after children were added or removed by hand says so (issue 9)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.audits.lifecycle import current_members
from audit_app.cohort.selection import draw_cohort
from audit_app.models import Audit, Role, User
from tests.conftest import csrf_token, page, post_form, sign_in, text_of


def _verify(client: FlaskClient, audit: Audit) -> object:
    token = csrf_token(page(client.get(f"/audits/{audit.id}")))
    return page(client.post(f"/audits/{audit.id}/draw/verify", data={"csrf_token": token}))


def test_verify_names_each_child_added_or_removed_by_hand_with_when_who_and_why(
    client: FlaskClient, users: dict[Role, User], session: Session, draft: Audit
) -> None:
    draw_cohort(session, draft, size=3, seed="s", filters=[], strata=None, user_id=None)
    session.commit()
    lead = users[Role.ADMIN]
    sign_in(client, lead.email)
    untouched = _verify(client, draft)
    assert untouched.h1.get_text(strip=True) == "The draw is verified"
    assert "Changed by hand" not in text_of(untouched)

    child_b = next(m for m in current_members(draft) if m.code == "Child B")
    removed = post_form(
        client, f"/audits/{draft.id}/cohort/{child_b.id}/remove", {"reason": "Moved out of area"}
    )
    assert removed.status_code == 302
    in_cohort = {m.identity.local_id for m in current_members(draft)}
    row = next(i for i in range(30) if f"W14-{i:04d}" not in in_cohort)
    added = post_form(
        client, f"/audits/{draft.id}/cohort/add", {"row": str(row), "reason": "Known to the chair"}
    )
    assert added.status_code == 302

    verdict = _verify(client, draft)
    # The draw itself still re-runs to the children it chose...
    assert verdict.h1.get_text(strip=True) == "The draw is verified"
    shown = text_of(verdict)
    # ...but the page says the cohort has been changed by hand since, and how.
    assert "Changed by hand since the draw" in shown
    assert "1 child was added by hand and 1 child was removed by hand" in shown
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in verdict.select("table tbody tr")
    ]
    assert [(row[0], row[1], row[3], row[4]) for row in rows] == [
        ("Child B", "Removed by hand", lead.full_name, "Moved out of area"),
        ("Child D", "Added by hand", lead.full_name, "Known to the chair"),
    ]
    assert all(row[2] and row[2] != "Not known" for row in rows)
