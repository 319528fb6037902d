"""Odd input never reaches a stack trace: it gets a page that says what is wrong."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.models import Role, User
from tests.conftest import page, post_form, sign_in

ODD_LOG_QUERIES = [
    "page=99999999999999999999",
    "page=²",
    "page=-1",
    "person=99999999999999999999",
    "person=99999999999",
    "person=²",
    "record_type=nonsense",
    "date_to=31&date_to=12&date_to=9999",
    "date_from=1&date_from=2",
    "date_from=a&date_from=b&date_from=c",
    "date_from=29&date_from=2&date_from=2025",
]


@pytest.mark.parametrize("query", ODD_LOG_QUERIES)
def test_odd_audit_log_queries(client: FlaskClient, users: dict[Role, User], query: str) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = client.get(f"/admin/audit-log?{query}")
    assert response.status_code == 200, query
    page(response)


@pytest.mark.parametrize(
    "url", ["/admin/users/99999999999999999999", "/admin/agencies/3000000000", "/admin/users/0"]
)
def test_ids_too_big_for_the_database_are_404(
    client: FlaskClient, users: dict[Role, User], url: str
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("agency_id", ["3000000000", "²", "-1", "abc"])
def test_odd_agency_ids_when_adding_a_user(
    client: FlaskClient, users: dict[Role, User], agency_id: str
) -> None:
    sign_in(client, users[Role.ADMIN].email)
    response = post_form(
        client,
        "/admin/users/new",
        {
            "full_name": "Odd",
            "email": "odd@example.org",
            "role": "reviewer",
            "agency_id": agency_id,
            "password": "a long temporary password",
        },
    )
    assert response.status_code == 200
    assert "Select the agency" in page(response).select_one(".govuk-error-summary").get_text()


def test_a_very_long_email_at_sign_in(client: FlaskClient) -> None:
    response = sign_in(client, "x" * 400 + "@example.org", "whatever")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_bytes_are_refused(client: FlaskClient, field: str) -> None:
    data = {"email": "a@example.org", "password": "p"}
    data[field] = "bad\x00value"
    response = post_form(client, "/sign-in", data)
    assert response.status_code == 400
    page(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["page", "person", "record_type", "date_from", "date_to", "other"]),
        st.lists(st.text(max_size=30), max_size=4),
        max_size=5,
    )
)
def test_any_audit_log_query_gets_a_page(
    client: FlaskClient, users: dict[Role, User], params: dict[str, list[str]]
) -> None:
    if client.get("/").status_code != 200:  # one sign-in serves every example
        sign_in(client, users[Role.ADMIN].email)
    response = client.get("/admin/audit-log", query_string=params)
    assert response.status_code in (200, 400), (params, response.status_code)
    page(response)
