"""An answer that says the child may need protecting now (a question's ``urgent_if``) takes
the reviewer straight to raising an urgent concern, until one is raised for the child."""

from __future__ import annotations

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app.models import Agency, Audit, Role, User
from audit_app.questionnaires.library import load_template
from tests.conftest import collecting_audit, csrf_token, page, sign_in, text_of
from tests.integration.returns.test_returns import own_return, save
from tests.unit.questionnaires.test_template_format import errors_of, example

ACT_NOW = "Does anything in this file need to be acted on now to keep the child safe?"


def _with_act_now() -> dict:
    data = example()
    data["id"] = "urgent-audit"
    data["sections"][0]["questions"].append(
        {
            "id": "act_now",
            "type": "single_choice",
            "lens": "fact",
            "required": False,
            "text": ACT_NOW,
            "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
            "urgent_if": ["yes"],
        }
    )
    return data


@pytest.fixture
def urgent_audit(session: Session, users: dict[Role, User], agency: Agency) -> Audit:
    version = load_template(session, yaml.safe_dump(_with_act_now()).encode(), "u.yaml").version
    return collecting_audit(session, version, users[Role.ADMIN], [agency])


def test_an_urgent_answer_takes_the_reviewer_to_raise_a_concern(
    client: FlaskClient,
    users: dict[Role, User],
    session: Session,
    urgent_audit: Audit,
    agency: Agency,
) -> None:
    sign_in(client, users[Role.REVIEWER].email)
    base = f"/returns/{own_return(session, urgent_audit, agency.id).id}"
    saved = save(client, f"{base}/sections/1", {"act_now": "yes", "action": "continue"})
    assert saved.status_code == 302 and saved.location == f"{base}/concern"
    concern_page = page(client.get(saved.location))
    assert f'You answered "Yes" to "{ACT_NOW}": raise an urgent concern now' in text_of(
        concern_page
    )
    assert page(client.get(f"{base}/check")).select_one("#urgent") is not None
    # "No" is not urgent.
    calm = save(client, f"{base}/sections/1", {"act_now": "no", "action": "continue"})
    assert calm.location == f"{base}/sections/2"
    assert page(client.get(f"{base}/check")).select_one("#urgent") is None

    # Once a concern is raised for the child, "Yes" is saved like any answer.
    save(client, f"{base}/sections/1", {"act_now": "yes", "action": "continue"})
    form = page(client.get(f"{base}/concern"))
    raised = client.post(
        f"{base}/concern",
        data={"csrf_token": csrf_token(form), "details": "Bruising seen on 3 May, not followed up"},
    )
    assert raised.status_code == 302
    again = save(client, f"{base}/sections/1", {"act_now": "yes", "action": "continue"})
    assert again.location == f"{base}/sections/2"
    assert page(client.get(f"{base}/check")).select_one("#urgent") is None


def test_urgent_if_names_possible_answers_of_a_question_with_set_answers() -> None:
    data = _with_act_now()
    act_now = data["sections"][0]["questions"][-1]
    act_now["urgent_if"] = ["maybe"]
    path = f"sections[0].questions[{len(data['sections'][0]['questions']) - 1}].urgent_if"
    assert (path, "'maybe' is not a possible answer (possible: yes, no)") in errors_of(data)
    free = example()
    free["sections"][0]["questions"][1]["urgent_if"] = ["yes"]
    assert (
        "sections[0].questions[1].urgent_if",
        "a free_text question has no set answers to name: urgent_if needs a question with set "
        "answers",
    ) in errors_of(free)
