"""The one place a request's database work is committed or rolled back.

Views change things through the rules and return a response; they never commit. When the
request is over (an ``after_request`` hook, so before the session cookie is written):

* a request whose method changes nothing (GET, HEAD, OPTIONS) is never committed;
* any other request is committed when its response is a success or a redirect (status
  below 400) and the view did not call :func:`discard_changes`;
* everything else is rolled back: a 4xx or 5xx response, and an exception the view let
  escape (the error handlers turn it into a 4xx or 5xx response; were it to escape them,
  the session is closed, so rolled back, when the request ends).

So a view that catches a :class:`~audit_app.core.errors.DomainError` and shows the form
again with the problem (status 200) must call :func:`discard_changes` unless it has rolled
back itself: a rule may have changed some things before it refused (``set_agencies``
removes one agency before refusing another). Work that may only happen once the changes are
saved, such as an email saying so, is handed to :func:`after_commit` and runs only after
the commit succeeded.

Conflicts between two people saving at once are found by the rules when they flush (a
version-checked UPDATE that matches no row, a unique constraint), so a view still shows its
own message, with the text the person typed, and the request then commits nothing. Should
the commit itself fail, it is rolled back, the messages flashed by this request are
withdrawn (nothing was saved) and the error goes on to the error page, as when views
committed themselves.

Sign-in keeps its record of a refused attempt (for throttling) whatever the page shows:
``authenticate`` commits that record itself, and the refused page is a 200 in any case.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, g, request, session
from sqlalchemy.exc import PendingRollbackError
from werkzeug.wrappers import Response

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once this request's changes have been committed (never otherwise)."""
    g.setdefault("after_commit", []).append(callback)


def discard_changes() -> None:
    """This request's changes are not to be kept, whatever the response."""
    g.discard_changes = True


def init_commit_point(app: Flask) -> None:
    app.before_request(_remember_flashes)
    app.after_request(_commit_or_roll_back)


def _remember_flashes() -> None:
    """What was waiting to be shown before this request, to go back to if its commit fails
    (only for requests that may commit, so that reading a page leaves the cookie alone)."""
    if request.method not in READ_ONLY_METHODS:
        g.flashes_before = list(session.get("_flashes", []))


def _commit_or_roll_back(response: Response) -> Response:
    if g.get("commit_point_done"):
        return response  # the error page of a failed commit
    g.commit_point_done = True
    db_session = g.get("db_session")  # opened by core.web.db() if the request used it
    callbacks = g.pop("after_commit", [])
    if db_session is None:
        return response
    if (
        request.method in READ_ONLY_METHODS
        or response.status_code >= 400
        or g.get("discard_changes", False)
    ):
        db_session.rollback()
        return response
    try:
        db_session.commit()
    except PendingRollbackError:
        # A flush failed and the view handled it without rolling back: nothing to keep.
        db_session.rollback()
        return response
    except Exception:
        db_session.rollback()
        _withdraw_flashes()
        raise
    for callback in callbacks:
        callback()
    return response


def _withdraw_flashes() -> None:
    before = g.get("flashes_before")
    if before is None:
        return
    if before:
        session["_flashes"] = before
    else:
        session.pop("_flashes", None)
