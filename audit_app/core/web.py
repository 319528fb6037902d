"""Glue between Flask requests and the plain domain code: one database session a request."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Map

from audit_app.core.db import Database

if TYPE_CHECKING:
    from audit_app.accounts.models import User


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["audit_db"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        writes = request.method not in ("GET", "HEAD", "OPTIONS")
        g.db_session = database().new_session(write=writes)
    return g.db_session


def set_actor(session: Session, user: User | None) -> None:
    """Name the person whose changes the audit log records for this session."""
    if user is None:
        session.info.pop("actor_id", None)
        session.info["actor_label"] = "anonymous"
    else:
        session.info["actor_id"] = user.id
        session.info["actor_label"] = user.email


def record_actor() -> None:
    """A before-request hook: whoever is signed in is the actor of this request's changes.

    Static files change nothing, so they neither load the user nor open a session."""
    if request.endpoint == "static":
        return
    set_actor(db(), current_user if current_user.is_authenticated else None)


def this_page() -> str:
    """This request's address with its query ("/audits/1/summary?agency=3"): what the page's
    script keeps unsaved typing under, and what a "saved-form" mark names after a save."""
    return request.full_path.rstrip("?")


MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


def parse_id(value: object) -> int | None:
    """A database id from a query string or form field; None for anything else."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<id:name>`` in a route: a positive id that fits the database, else 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def refuse_nul_bytes() -> None:
    """A before-request hook: no field may carry a NUL byte (PostgreSQL cannot store one)."""
    for values in (request.args, request.form):
        for value in values.values():
            if "\x00" in value:
                abort(400)


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
