"""Who may use which page: every view declares it, and anything undeclared is denied.

``@allow(Role.ADMIN, ...)`` lets signed-in users with one of those roles in;
``@signed_in`` lets any signed-in user in; ``@public`` lets anyone in. A view with no
declaration is refused for everyone (and ``tests/integration/test_route_access.py`` fails).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from audit_app.core.roles import Role

View = TypeVar("View", bound=Callable[..., object])

# Flask's own static file view cannot carry an attribute; it is public.
PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[Role] = frozenset()

    def allows(self, role: Role | None) -> bool:
        if self.public:
            return True
        return role is not None and role in self.roles


def _declare(rule: AccessRule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def allow(*roles: Role) -> Callable[[View], View]:
    if not roles:
        raise ValueError("allow() needs at least one role; use @public or @signed_in instead")
    return _declare(AccessRule(roles=frozenset(roles)))


signed_in = _declare(AccessRule(roles=frozenset(Role)))
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
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if not rule.allows(current_user.role):
        abort(403)
    return None
