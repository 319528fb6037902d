"""Styled error pages; a 500 never shows a stack trace.

An error page must render even when the request broke its database session (a failed flush
leaves it needing a rollback, and the layout loads the signed-in person's memberships for
the menu): the session is rolled back first, and should the page still fail to render, it
is rendered once more without anything that reads the database (no menu, no sign-out)."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

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


def _render(code: int) -> tuple[str, int]:
    title, template = ERROR_PAGES.get(code, ERROR_PAGES[500])
    return _safely_rendered(template, title=title), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _safely_rendered("errors/csrf.html", title="Your form has expired"), 400

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
