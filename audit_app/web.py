"""Glue between Flask requests and the plain domain code: one database session a request."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from audit_app.db import Database
from audit_app.models import User


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["audit_db"]


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = database().new_session()
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
    """A before-request hook run after sign-in is known."""
    if "db_session" in g or current_user.is_authenticated:
        set_actor(db(), current_user if current_user.is_authenticated else None)


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
