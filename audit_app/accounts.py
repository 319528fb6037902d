"""Users, passwords and sign-in, with no Flask: the rules views and the CLI share."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from audit_app.errors import DomainError
from audit_app.models import Agency, Role, SignInAttempt, User, utcnow

MIN_PASSWORD_LENGTH = 12
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 50
# scrypt (memory-hard) with werkzeug's parameters: n=2**15, r=8, p=1.
PASSWORD_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)
_DUMMY_HASH = generate_password_hash("not a real password", method=PASSWORD_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def new_session_token() -> str:
    return secrets.token_hex(32)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field="password"
        )
    if password.strip() != password:
        raise DomainError("Password must not start or end with a space", field="password")


def _check_role_and_agency(session: Session, role: Role, agency_id: int | None) -> None:
    if role is Role.REVIEWER:
        if agency_id is None:
            raise DomainError("Select the agency this reviewer works for", field="agency_id")
        agency = session.get(Agency, agency_id)
        if agency is None or not agency.is_active:
            raise DomainError("Select an active agency", field="agency_id")


def _check_email_free(session: Session, email: str, user_id: int | None = None) -> None:
    query = select(User.id).where(func.lower(User.email) == email)
    if user_id is not None:
        query = query.where(User.id != user_id)
    if session.scalar(query) is not None:
        raise DomainError("A user with this email address already exists", field="email")


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    password: str,
    role: Role,
    agency_id: int | None = None,
    job_title: str | None = None,
    is_demo: bool = False,
) -> User:
    email = normalise_email(email)
    _check_email_free(session, email)
    _check_role_and_agency(session, role, agency_id)
    check_password_rules(password)
    user = User(
        email=email,
        full_name=full_name.strip(),
        job_title=(job_title or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
        # Only reviewers belong to an agency: their agency decides which returns they see.
        agency_id=agency_id if role is Role.REVIEWER else None,
        is_active=True,
        is_demo=is_demo,
        session_token=new_session_token(),
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    email: str,
    full_name: str,
    role: Role,
    agency_id: int | None,
    job_title: str | None,
    acting_user: User | None = None,
) -> User:
    email = normalise_email(email)
    _check_email_free(session, email, user.id)
    _check_role_and_agency(session, role, agency_id)
    if acting_user is not None and acting_user.id == user.id and role is not Role.ADMIN:
        raise DomainError("You cannot take the administrator role away from yourself", "role")
    role_changed = user.role is not role or user.agency_id != (
        agency_id if role is Role.REVIEWER else None
    )
    user.email = email
    user.full_name = full_name.strip()
    user.job_title = (job_title or "").strip() or None
    user.role = role
    user.agency_id = agency_id if role is Role.REVIEWER else None
    if role_changed:
        # What a person may see has changed: end their open sessions.
        user.session_token = new_session_token()
    session.flush()
    return user


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """A person changes their own password: they must know the one they have."""
    if not check_password_hash(user.password_hash, current):
        raise DomainError("Your current password is not correct", field="current_password")
    if current == new:
        raise DomainError("Your new password must be different", field="password")
    set_password(session, user, new)


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    session.flush()


def set_active(session: Session, user: User, active: bool, acting_user: User | None) -> None:
    if not active and acting_user is not None and acting_user.id == user.id:
        raise DomainError("You cannot deactivate your own account")
    if not active and user.role is Role.ADMIN and user.is_active:
        other_admins = session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id
            )
        )
        if not other_admins:
            raise DomainError("The last active administrator cannot be deactivated")
    user.is_active = active
    user.session_token = new_session_token()
    session.flush()


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False


def _recent_failures(session: Session, column: object, value: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return (
        session.scalar(
            select(func.count(SignInAttempt.id)).where(
                column == value,  # type: ignore[operator]
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at >= since,
            )
        )
        or 0
    )


def authenticate(session: Session, email: str, password: str, remote_addr: str) -> SignInResult:
    """Check an email and password, counting failures per email and per address.

    The caller tells the person one generic message whatever went wrong, so nobody can
    learn which emails have accounts.
    """
    email = normalise_email(email)
    if (
        _recent_failures(session, SignInAttempt.email, email) >= MAX_FAILURES_PER_EMAIL
        or _recent_failures(session, SignInAttempt.remote_addr, remote_addr)
        >= MAX_FAILURES_PER_ADDRESS
    ):
        session.add(SignInAttempt(email=email, remote_addr=remote_addr, succeeded=False))
        session.commit()
        return SignInResult(user=None, throttled=True)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # take as long as a real check
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password) and user.is_active
    session.add(SignInAttempt(email=email, remote_addr=remote_addr, succeeded=ok))
    if ok and user is not None:
        user.last_signed_in_at = utcnow()
    session.commit()
    return SignInResult(user=user if ok else None)


def load_signed_in_user(session: Session, session_id: str) -> User | None:
    """Find the user a session cookie names, if their account and session are still good."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not secrets.compare_digest(user.session_token, token):
        return None
    return user
