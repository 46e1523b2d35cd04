"""Who launched what: users, courses, placements and memberships, upserted per launch."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Context, Membership, ResourceLink, User, utcnow
from .roles import Role


@dataclass(frozen=True)
class LaunchFacts:
    platform_id: int
    sub: str
    role: Role
    roles: list[str]
    name: str | None
    email: str | None
    context: dict
    resource_link: dict
    module_id: str | None


@dataclass(frozen=True)
class Visit:
    user_id: int
    context_id: int | None


def record_launch(session: Session, facts: LaunchFacts) -> Visit:
    """Upsert the user, course, placement and membership a launch names, in the caller's transaction."""
    now = utcnow()
    user = _get_or_add(session, User, platform_id=facts.platform_id, sub=facts.sub)
    user.last_launch_at = now
    if facts.name:
        user.name = facts.name
    if facts.email:
        user.email = facts.email
    context = None
    if facts.context.get("id"):
        context = _get_or_add(session, Context, platform_id=facts.platform_id, context_id=str(facts.context["id"]))
        context.title = facts.context.get("title") or context.title
        context.label = facts.context.get("label") or context.label
        session.flush()
        membership = _get_or_add(session, Membership, user_id=_id(session, user), context_id=context.id)
        membership.role, membership.roles, membership.last_launch_at = facts.role.value, facts.roles, now
    if facts.resource_link.get("id"):
        link = _get_or_add(
            session, ResourceLink, platform_id=facts.platform_id, resource_link_id=str(facts.resource_link["id"])
        )
        link.context_id = context.id if context else None
        link.title = facts.resource_link.get("title") or link.title
        link.module_id = facts.module_id
    session.flush()
    return Visit(user_id=user.id, context_id=context.id if context else None)


def _id(session: Session, row) -> int:
    if row.id is None:
        session.flush()
    return row.id


def _get_or_add(session: Session, model, **key):
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is None:
        row = model(**key)
        session.add(row)
    return row


def course_members(session: Session, context_id: int, role: Role = Role.LEARNER) -> list[tuple[User, Membership]]:
    """Members of a course with a given role, most recent launch first."""
    rows = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == role.value)
        .order_by(Membership.last_launch_at.desc())
    )
    return [(user, membership) for user, membership in rows]
