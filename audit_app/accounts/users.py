"""Users, passwords and sign-in, with no Flask: the rules views and the CLI share."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from audit_app.accounts import memberships
from audit_app.accounts.models import Membership, SignInAttempt, User
from audit_app.core.errors import DomainError
from audit_app.core.models import utcnow
from audit_app.core.roles import Role

MIN_PASSWORD_LENGTH = 12
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5  # from one address, since its last success
MAX_FAILURES_PER_ADDRESS = 50  # on any accounts
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


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


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
    role: Role | None,
    agency_id: int | None = None,
    audit_id: int | None = None,
    is_chair: bool = False,
    job_title: str | None = None,
    is_demo: bool = False,
) -> User:
    """A new person with their first membership (more are added on their page), or with
    none yet when ``role`` is None (a panel is chosen later, on the audit's panel page)."""
    email = normalise_email(email)
    full_name = _required_text(full_name, "full_name", "Enter the person's full name")
    _check_email_free(session, email)
    if role is Role.REVIEWER and agency_id is None:
        raise DomainError("Select the agency this reviewer works for", field="agency_id")
    if role is not None:
        agency_id, audit_id, is_chair = memberships.check_scope(
            session, role, agency_id=agency_id, audit_id=audit_id, is_chair=is_chair
        )
    check_password_rules(password)
    user = User(
        email=email,
        full_name=full_name,
        job_title=(job_title or "").strip() or None,
        password_hash=hash_password(password),
        is_active=True,
        is_demo=is_demo,
        session_token=new_session_token(),
    )
    if role is not None:
        user.memberships.append(
            Membership(role=role, agency_id=agency_id, audit_id=audit_id, is_chair=is_chair)
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
    job_title: str | None,
) -> User:
    """A person's details; their memberships change through ``accounts.memberships``."""
    email = normalise_email(email)
    full_name = _required_text(full_name, "full_name", "Enter the person's full name")
    _check_email_free(session, email, user.id)
    user.email = email
    user.full_name = full_name
    user.job_title = (job_title or "").strip() or None
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
    if not active and memberships.is_last_administrator(session, user):
        raise DomainError("The last active administrator cannot be deactivated")
    user.is_active = active
    user.session_token = new_session_token()
    session.flush()


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False


def _failures_since_last_success(session: Session, email: str, remote_addr: str) -> int:
    """Failures for this email from this address in the window, since it last succeeded."""
    since = utcnow() - THROTTLE_WINDOW
    pair = (SignInAttempt.email == email, SignInAttempt.remote_addr == remote_addr)
    last_success = session.scalar(
        select(func.max(SignInAttempt.at)).where(*pair, SignInAttempt.succeeded.is_(True))
    )
    if last_success is not None and last_success > since:
        since = last_success
    return (
        session.scalar(
            select(func.count(SignInAttempt.id)).where(
                *pair, SignInAttempt.succeeded.is_(False), SignInAttempt.at > since
            )
        )
        or 0
    )


def _failures_from_address(session: Session, remote_addr: str) -> int:
    since = utcnow() - THROTTLE_WINDOW
    return (
        session.scalar(
            select(func.count(SignInAttempt.id)).where(
                SignInAttempt.remote_addr == remote_addr,
                SignInAttempt.succeeded.is_(False),
                SignInAttempt.at > since,
            )
        )
        or 0
    )


def authenticate(session: Session, email: str, password: str, remote_addr: str) -> SignInResult:
    """Check an email and password, slowing down guessing without locking anyone out.

    Failures are counted per email *and* address, so someone guessing at an account from
    elsewhere cannot lock its owner out; a success clears the count. An address that fails
    on many accounts is slowed too. Attempts refused while throttled are not counted, so
    the wait always ends. The caller shows one generic message whatever went wrong, so
    nobody can learn which emails have accounts.
    """
    email = normalise_email(email)
    if (
        _failures_since_last_success(session, email, remote_addr) >= MAX_FAILURES_PER_EMAIL
        or _failures_from_address(session, remote_addr) >= MAX_FAILURES_PER_ADDRESS
    ):
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
    # Kept whatever the page shows: the refusal page is not an error, so the request's
    # commit point saves the attempt (the throttle counts it).
    session.flush()
    return SignInResult(user=user if ok else None)


def end_sessions(session: Session, user: User) -> None:
    """Sign the user out everywhere: every cookie carrying the old token stops working."""
    user.session_token = new_session_token()
    session.flush()


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
