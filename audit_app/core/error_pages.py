"""Styled error pages; a 500 never shows a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
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


def _render(code: int) -> tuple[str, int]:
    title, template = ERROR_PAGES.get(code, ERROR_PAGES[500])
    return render_template(template, title=title), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html", title="Your form has expired"), 400

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
