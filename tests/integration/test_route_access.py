"""Every route x every role (and an anonymous visitor): allowed or denied, as declared here.

The expectations are written out by hand, not read from the decorators, so that a change
in who may use a page has to be made twice: in the view and here. A route missing from
EXPECTED fails the test; so does a view with no access declaration.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audit_app import create_app
from audit_app.core.access import access_rule_for
from audit_app.models import (
    Agency,
    AgencyReturn,
    Audit,
    AuditAgency,
    AuditTemplateVersion,
    ChronologyEntry,
    CohortMember,
    Role,
    UrgentConcern,
    User,
)
from tests.conftest import sign_in

ANYONE = "anyone"
SIGNED_IN = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
REVIEWER = frozenset({Role.REVIEWER})

# endpoint -> who may use it
EXPECTED: dict[str, object] = {
    "static": ANYONE,
    "home.index": ANYONE,  # sends anonymous visitors to sign in
    "home.health": ANYONE,
    "auth.sign_in": ANYONE,
    "auth.sign_out": ANYONE,
    "auth.change_password": SIGNED_IN,
    "agencies.index": ADMIN,
    "agencies.agency_new": ADMIN,
    "agencies.agency_edit": ADMIN,
    "accounts.users": ADMIN,
    "accounts.user_new": ADMIN,
    "accounts.user_edit": ADMIN,
    "accounts.user_status": ADMIN,
    "log.audit_log": ADMIN,
    "audit_templates.index": ADMIN,
    "audit_templates.upload": ADMIN,
    "audit_templates.history": ADMIN,
    "audit_templates.preview": ADMIN,
    "audits.index": ADMIN,
    "audits.new": ADMIN,
    "audits.show": ADMIN,
    "audits.details": ADMIN,
    "audits.agencies": ADMIN,
    "audits.agency_link": ADMIN,
    "audits.panel": ADMIN,
    "cohort.population": ADMIN,
    "cohort.columns": ADMIN,
    "cohort.draw": ADMIN,
    "cohort.verify": ADMIN,
    "cohort.add_child": ADMIN,
    "cohort.remove_child": ADMIN,
    "audits.status": ADMIN,
    "returns.reminders": ADMIN,
    "cohort.identities": ADMIN,
    "cohort.purge": ADMIN,
    "returns.overview": REVIEWER,
    "returns.section": REVIEWER,
    "returns.autosave": REVIEWER,
    "returns.no_involvement": REVIEWER,
    "returns.chronology": REVIEWER,
    "returns.delete_chronology": REVIEWER,
    "returns.check": REVIEWER,
    "returns.submit": REVIEWER,
    "returns.concern": REVIEWER,
    "returns.acknowledge": ADMIN,
    "returns.lead_view": ADMIN,
    "summaries.summary": REVIEWER,
    "workbooks.download": REVIEWER,
    "workbooks.upload": REVIEWER,
    "workbooks.confirm": REVIEWER,
}


def test_every_registered_route_is_expected(app: Flask) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - set(EXPECTED) == set(), "add new routes to EXPECTED"
    assert set(EXPECTED) - registered == set(), "EXPECTED names a route that is gone"


def test_every_view_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        endpoint for endpoint in app.view_functions if access_rule_for(app, endpoint) is None
    ]
    assert undeclared == []


def test_declarations_match_expectations(app: Flask) -> None:
    for endpoint, expected in EXPECTED.items():
        rule = access_rule_for(app, endpoint)
        assert rule is not None
        if expected == ANYONE:
            assert rule.public, endpoint
        else:
            assert not rule.public, endpoint
            assert rule.roles == expected, endpoint


def _urls(
    app: Flask,
    agency: Agency,
    user: User,
    version: AuditTemplateVersion,
    audit: Audit,
    ids: dict[str, int],
) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule, with real ids filled in."""
    values = {
        **ids,
        "number": 1,
        "audit_id": audit.id,
        "member_id": audit.cohort[0].id,
        "agency_id": agency.id,
        "user_id": user.id,
        "template_id": version.template_id,
        "version_id": version.id,
        "filename": "dist/application.css",
    }
    found = []
    for rule in app.url_map.iter_rules():
        args = {name: values[name] for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


@pytest.mark.parametrize("who", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_route_role_matrix(
    app: Flask,
    client: FlaskClient,
    session: Session,
    users: dict[Role, User],
    agency: Agency,
    template_version: AuditTemplateVersion,
    who: Role | None,
) -> None:
    audit = Audit(title="Route walk", template_version_id=template_version.id)
    audit.agencies.append(AuditAgency(agency_id=agency.id))
    audit.cohort.append(CohortMember(code="Child A", position=0))
    session.add(audit)
    session.flush()
    agency_return = AgencyReturn(
        audit_id=audit.id, agency_id=agency.id, member_id=audit.cohort[0].id
    )
    session.add(agency_return)
    session.flush()
    entry = ChronologyEntry(
        return_id=agency_return.id, happened_on=date(2020, 1, 1), what_happened="x"
    )
    concern = UrgentConcern(
        return_id=agency_return.id, raised_by_id=users[Role.REVIEWER].id, details="x"
    )
    session.add_all([entry, concern])
    session.commit()
    ids = {"return_id": agency_return.id, "entry_id": entry.id, "concern_id": concern.id}
    if who is not None:
        response = sign_in(client, users[who].email)
        assert response.status_code == 302
    # Turn CSRF off here so a refused POST is refused for access, not for a missing token.
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        target_user = users[Role.SUBGROUP]
        for endpoint, method, url in _urls(app, agency, target_user, template_version, audit, ids):
            expected = EXPECTED[endpoint]
            allowed = expected == ANYONE or (who is not None and who in expected)  # type: ignore[operator]
            if endpoint == "auth.sign_out":
                continue  # signing out would end this walk; covered in test_auth
            response = client.open(url, method=method, data={})
            if allowed:
                assert response.status_code not in (401, 403), (who, method, url)
                assert response.status_code < 500, (who, method, url, response.status_code)
            elif who is None:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.location.startswith("/sign-in"), (method, url)
            else:
                assert response.status_code == 403, (who, method, url, response.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_undeclared_view_is_refused(database_url: str) -> None:
    """Deny by default: a view added without a declaration is refused at run time too."""
    app = create_app({"AUDIT_DATABASE_URL": database_url})

    @app.route("/forgot-to-declare")
    def forgot_to_declare() -> str:
        return "children's records"

    for client_role in ("anonymous",):
        response = app.test_client().get("/forgot-to-declare")
        assert response.status_code == 403, client_role
        assert "children's records" not in response.get_data(as_text=True)
