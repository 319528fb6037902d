"""What a person's memberships let them do, and the rules for adding and removing them.

Plain functions, no Flask. The questions (``holds``, ``reviewer_agency_ids``,
``panel_audit_ids``, ``leads``) read ``user.memberships``, which is loaded with the user, so
asking them runs no query.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit_app.accounts.models import Membership, User
from audit_app.agencies.models import Agency
from audit_app.core.errors import DomainError
from audit_app.core.roles import Role, Scope

# --- Questions about one person -------------------------------------------------------------


def holds(user: User, role: Role, audit_id: int | None = None) -> bool:
    """Does the person hold this role, for this audit when one is named?

    Partnership-wide memberships (administrator, subgroup member, audit lead with no audit)
    cover every audit; a panel membership or an audit lead's for one audit only that audit.
    A reviewer membership is for an agency, not an audit: check the agency with
    ``reviewer_agency_ids``.
    """
    for membership in user.memberships:
        if membership.role is not role:
            continue
        if audit_id is None or role is Role.REVIEWER:
            return True
        if membership.audit_id is None and role is not Role.PANEL:
            return True
        if membership.audit_id == audit_id:
            return True
    return False


def roles_of(user: User) -> set[Role]:
    return {membership.role for membership in user.memberships}


def reviewer_agency_ids(user: User) -> set[int]:
    return {
        m.agency_id for m in user.memberships if m.role is Role.REVIEWER and m.agency_id is not None
    }


def panel_audit_ids(user: User) -> set[int]:
    return {m.audit_id for m in user.memberships if m.role is Role.PANEL and m.audit_id is not None}


def leads_partnership(user: User) -> bool:
    """An audit lead for every audit (a membership with no audit)."""
    return any(m.role is Role.AUDIT_LEAD and m.audit_id is None for m in user.memberships)


def led_audit_ids(user: User) -> set[int]:
    """The audits this person leads one by one (see ``leads_partnership`` for all of them)."""
    return {
        m.audit_id for m in user.memberships if m.role is Role.AUDIT_LEAD and m.audit_id is not None
    }


def leads(user: User, audit_id: int) -> bool:
    return holds(user, Role.AUDIT_LEAD, audit_id)


def is_administrator(user: User) -> bool:
    return holds(user, Role.ADMIN)


# --- Words ------------------------------------------------------------------------------------

DASH = "\u2013"  # an en dash: "Agency reviewer, dash, CAMHS" as GOV.UK writes it


def scope_in_words(membership: Membership, full_names: bool = False) -> str:
    """What the membership covers: an agency, an audit, every audit or the partnership."""
    role = membership.role
    if role is Role.REVIEWER:
        agency = membership.agency
        return (agency.name if full_names else agency.short_name) if agency else "no agency"
    if role in (Role.PANEL, Role.AUDIT_LEAD):
        audit = membership.audit
        if audit is not None:
            return audit.title
        return "no audit" if role is Role.PANEL else "every audit"
    return "the whole partnership"


def describe(membership: Membership, full_names: bool = False) -> str:
    """The membership in words, like "Agency reviewer, en dash, CAMHS"."""
    role = membership.role
    label = f"{role.label} (chair)" if role is Role.PANEL and membership.is_chair else role.label
    if role in (Role.REVIEWER, Role.PANEL, Role.AUDIT_LEAD):
        return f"{label} {DASH} {scope_in_words(membership, full_names)}"
    return label


# --- Rules for changing memberships -----------------------------------------------------------


def _audit_model() -> type:
    # The audit model belongs to the audits area, which builds on this one: reach it
    # through the membership's relationship rather than importing it.
    return Membership.audit.property.mapper.class_


def _audit_exists(session: Session, audit_id: int) -> bool:
    return session.get(_audit_model(), audit_id) is not None


def audit_titles(session: Session) -> list[tuple[int, str]]:
    """Every audit as (id, title), newest first: the audits a membership can be for."""
    audit = _audit_model()
    rows = session.execute(
        select(audit.id, audit.title).order_by(audit.created_at.desc(), audit.id.desc())  # type: ignore[attr-defined]
    )
    return [(audit_id, title) for audit_id, title in rows]


def check_scope(
    session: Session,
    role: Role,
    *,
    agency_id: int | None,
    audit_id: int | None,
    is_chair: bool = False,
    current_agency_id: int | None = None,
) -> tuple[int | None, int | None, bool]:
    """The (agency_id, audit_id, is_chair) a membership of this role keeps, or a DomainError
    naming the field to fix. Values a role does not use are dropped."""
    scope = role.scope
    if scope is Scope.AGENCY:
        if agency_id is None:
            raise DomainError("Choose the agency this person reviews for", field="agency_id")
        agency = session.get(Agency, agency_id)
        # A reviewer may stay with an agency that has since stopped taking part.
        if agency is None or (not agency.is_active and agency_id != current_agency_id):
            raise DomainError("Choose an active agency", field="agency_id")
        return agency_id, None, False
    if scope is Scope.AUDIT:
        if audit_id is None:
            raise DomainError("Choose the audit whose panel this person sits on", "audit_id")
        if not _audit_exists(session, audit_id):
            raise DomainError("Choose an audit from the list", field="audit_id")
        return None, audit_id, is_chair
    if scope is Scope.PARTNERSHIP_OR_AUDIT:
        if audit_id is not None and not _audit_exists(session, audit_id):
            raise DomainError("Choose an audit from the list", field="audit_id")
        return None, audit_id, False
    return None, None, False


def _same(membership: Membership, role: Role, agency_id: int | None, audit_id: int | None) -> bool:
    return (
        membership.role is role
        and membership.agency_id == agency_id
        and membership.audit_id == audit_id
    )


def add_membership(
    session: Session,
    user: User,
    role: Role,
    *,
    agency_id: int | None = None,
    audit_id: int | None = None,
    is_chair: bool = False,
) -> Membership:
    """Give a person one more membership; what they may see changes, so their open sessions
    end."""
    agency_id, audit_id, is_chair = check_scope(
        session, role, agency_id=agency_id, audit_id=audit_id, is_chair=is_chair
    )
    if any(_same(m, role, agency_id, audit_id) for m in user.memberships):
        raise DomainError("This person already has that membership", field="role")
    if is_chair and _chair_of(session, audit_id) is not None:
        raise DomainError("This audit's panel already has a chair", field="is_chair")
    membership = Membership(role=role, agency_id=agency_id, audit_id=audit_id, is_chair=is_chair)
    user.memberships.append(membership)
    _end_sessions(user)
    session.flush()
    return membership


def _chair_of(session: Session, audit_id: int | None) -> int | None:
    """The user id of the chair of this audit's panel, if it has one."""
    return session.scalar(
        select(Membership.user_id).where(
            Membership.role == Role.PANEL,
            Membership.audit_id == audit_id,
            Membership.is_chair.is_(True),
        )
    )


def _other_active_administrators(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count(func.distinct(Membership.user_id)))
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.role == Role.ADMIN,
                User.is_active.is_(True),
                User.id != user.id,
            )
        )
        or 0
    )


def is_last_administrator(session: Session, user: User) -> bool:
    return (
        user.is_active
        and holds(user, Role.ADMIN)
        and _other_active_administrators(session, user) == 0
    )


def remove_membership(
    session: Session, user: User, membership: Membership, acting_user: User | None = None
) -> None:
    """Take a membership away. The last administrator membership of the partnership stays,
    so that somebody can always manage people."""
    if membership not in user.memberships:
        raise DomainError("This membership is not this person's")
    if membership.role is Role.ADMIN:
        if acting_user is not None and acting_user.id == user.id:
            raise DomainError("You cannot take the administrator role away from yourself")
        if is_last_administrator(session, user):
            raise DomainError("This is the last administrator: add another administrator first")
    user.memberships.remove(membership)
    _end_sessions(user)
    session.flush()


def _end_sessions(user: User) -> None:
    # Imported here: users.py imports this module for the first membership of a new user.
    from audit_app.accounts.users import new_session_token

    user.session_token = new_session_token()
