"""Who may use which page: every view declares it, and anything undeclared is denied.

``@allow(Role.AUDIT_LEAD, ...)`` lets in signed-in people holding a membership of one of
those roles *whose scope covers the request*: when the route names an ``audit_id``, an audit
lead membership must be partnership-wide or for that audit, and a panel membership must be
for that audit; administrator and subgroup memberships cover the partnership.
``@allow(Role.AUDIT_LEAD, partnership=True)`` asks for a partnership-wide membership.
A reviewer membership is for an agency: the views that load a return or summary check that
its agency is one of the person's (and answer 404 otherwise).
``@signed_in`` lets any signed-in person in; ``@public`` lets anyone in. A view with no
declaration is refused for everyone (and ``tests/integration/test_route_access.py`` fails).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from audit_app.core.roles import Role

if TYPE_CHECKING:
    from audit_app.accounts.models import Membership

View = TypeVar("View", bound=Callable[..., object])

# Flask's own static file view cannot carry an attribute; it is public.
PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[Role] = frozenset()
    partnership: bool = False  # only partnership-wide memberships of those roles
    any_signed_in: bool = False

    def allows(self, role: Role | None) -> bool:
        """Does the declaration name this role (whatever the scope)?"""
        if self.public:
            return True
        return role is not None and role in self.roles

    def admits(self, memberships: Iterable[Membership], audit_id: int | None = None) -> bool:
        """Does one of these memberships cover a request (for this audit, if it names one)?"""
        if self.public or self.any_signed_in:
            return True
        return any(self._covers(m, audit_id) for m in memberships)

    def _covers(self, membership: Membership, audit_id: int | None) -> bool:
        role = membership.role
        if role not in self.roles:
            return False
        if self.partnership:
            return membership.agency_id is None and membership.audit_id is None
        if role is Role.AUDIT_LEAD:
            return audit_id is None or membership.audit_id in (None, audit_id)
        if role is Role.PANEL:
            return audit_id is None or membership.audit_id == audit_id
        return True


def _declare(rule: AccessRule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def allow(*roles: Role, partnership: bool = False) -> Callable[[View], View]:
    if not roles:
        raise ValueError("allow() needs at least one role; use @public or @signed_in instead")
    return _declare(AccessRule(roles=frozenset(roles), partnership=partnership))


signed_in = _declare(AccessRule(roles=frozenset(Role), any_signed_in=True))
public = _declare(AccessRule(public=True))


def access_rule_for(app: Flask, endpoint: str) -> AccessRule | None:
    if endpoint in PUBLIC_ENDPOINTS:
        return AccessRule(public=True)
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access() -> object | None:
    """A before-request hook: let the request through, send to sign-in, or refuse."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: Flask answers 404 or 405 next
        return None
    rule = access_rule_for(current_app, endpoint)
    if rule is None:
        current_app.logger.error("Refused %s: the view declares no access rule", endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return sign_in_redirect()
    audit_id = (request.view_args or {}).get("audit_id")
    if not rule.admits(current_user.memberships, audit_id if isinstance(audit_id, int) else None):
        abort(403)
    return None


SIGNED_OUT = (
    "You have been signed out, so your changes have not been saved. "
    "Sign in again to go back to the page you were on."
)


def _page_to_return_to() -> str | None:
    """The address to come back to after signing in: this one with its query (the page a
    form was sent from, when it was a POST), if it can be read (GET)."""
    path = request.full_path.rstrip("?")
    try:
        adapter = current_app.create_url_adapter(request)
        if adapter is None:
            return None
        adapter.match(request.path, method="GET")
    except HTTPException:
        return None
    return path


def sign_in_redirect() -> Response:
    """Send someone who is not signed in to the sign-in page, and back here afterwards.

    A form sent after the session ended (signed out elsewhere, or expired) says so on the
    sign-in page; the page's own script keeps what was typed and puts it back afterwards.
    """
    writing = request.method not in ("GET", "HEAD", "OPTIONS")
    waiting = session.get("_flashes", [])
    # Not for the page's own background saves, and once only (a save as the page closes
    # may have said it already).
    if (
        writing
        and not request.headers.get("X-Requested-With")
        and ("error", SIGNED_OUT) not in [tuple(message) for message in waiting]
    ):
        flash(SIGNED_OUT, "error")
    back_to = _page_to_return_to()
    target = url_for("auth.sign_in", next=back_to) if back_to else url_for("auth.sign_in")
    # Browsers follow a 302 with GET, whatever the form's method.
    return redirect(target)
