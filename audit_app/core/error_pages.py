"""Styled error pages; a 500 never shows a stack trace.

An error page must render even when the request broke its database session (a failed flush
leaves it needing a rollback, and the layout loads the signed-in person's memberships for
the menu): the session is rolled back first, and should the page still fail to render, it
is rendered once more without anything that reads the database (no menu, no sign-out)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from audit_app.core.access import access_rule_for, enforce_access, sign_in_redirect

ERROR_PAGES = {
    400: ("There is a problem with your request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Page not found", "errors/404.html"),
    413: ("The file is too large", "errors/413.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def _roll_back_the_request() -> None:
    """Roll back the request's database session, if it has one, so the page can use it.

    Nothing the request changed is kept in any case (the commit point rolls back every
    response of 400 or more)."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except Exception:  # the database itself may be gone: the plain page will do
        current_app.logger.exception("Could not roll back before the error page")


def _safely_rendered(template: str, **context: object) -> str:
    """The page, or, if rendering it fails, the same page with a plain layout."""
    _roll_back_the_request()
    try:
        return render_template(template, **context)
    except Exception:
        current_app.logger.exception("The error page failed; showing it without the menu")
        _roll_back_the_request()
        return render_template(template, plain_layout=True, **context)


# Views whose form, sent with an expired token, is shown again with what was sent (not
# saved) rather than the "Your form has expired" page: endpoint -> the view that does it.
ExpiredFormView = Callable[..., ResponseReturnValue]
_EXPIRED_FORM_VIEWS: dict[str, ExpiredFormView] = {}

EXPIRED_FORM = (
    "Your answers have not been saved yet, because this page had been open a long time or "
    "you signed in again in another tab. What you sent is shown below: check it and save again."
)


def on_expired_form(endpoint: str) -> Callable[[ExpiredFormView], ExpiredFormView]:
    """Register the view that shows ``endpoint``'s form again after its token expired.

    It is called with the route's arguments, only for a signed-in person the page admits,
    and must save nothing (it shows the form with what was sent and ``EXPIRED_FORM``)."""

    def register_view(view: ExpiredFormView) -> ExpiredFormView:
        _EXPIRED_FORM_VIEWS[endpoint] = view
        return view

    return register_view


def _expired_form() -> ResponseReturnValue:
    """A form whose token could not be checked: keep what was sent where we can."""
    endpoint = request.endpoint or ""
    rule = access_rule_for(current_app, endpoint) if endpoint else None
    if rule is not None and not rule.public:
        if not current_user.is_authenticated:
            # The session ended: sign in again and come back; the page's script puts back
            # what was typed.
            return sign_in_redirect()
        view = _EXPIRED_FORM_VIEWS.get(endpoint)
        if view is not None:
            # The page's own checks first (an error raised here would not reach the
            # error handlers, so it is rendered here).
            try:
                refused = enforce_access()
                if refused is not None:
                    return refused  # type: ignore[return-value]
                return view(**(request.view_args or {}))
            except HTTPException as error:
                return _render(error.code if (error.code or 500) in ERROR_PAGES else 500)
    return _safely_rendered("errors/csrf.html", title="Your form has expired"), 400


def _render(code: int) -> tuple[str, int]:
    title, template = ERROR_PAGES.get(code, ERROR_PAGES[500])
    return _safely_rendered(template, title=title), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        return _expired_form()

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
        return _render(413)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        if code not in ERROR_PAGES:
            return _render(500 if code >= 500 else 400)
        return _render(code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error", exc_info=error)
        return _render(500)
