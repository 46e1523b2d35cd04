"""Who launched what: users, courses, placements and memberships, saved per launch.

The launch is where a learner's identity is resolved, once: ``save_launch``
returns the ``Learner`` that every later event carries. Only acts by someone
else on a learner's behalf (a trainer revoking a credential) and replay, which
starts from statements, map between LMS accounts and the tool's ids here.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from xapi.sql import utcnow

from ..db import RecentWrites, upsert
from ..models import Context, Membership, Platform, ResourceLink, User
from .learning import Learner
from .roles import Role


@dataclass(frozen=True)
class LaunchFacts:
    platform_id: int
    issuer: str
    sub: str
    role: Role
    roles: list[str]
    name: str | None
    email: str | None
    context: dict
    resource_link: dict
    module_id: str | None


def _clipped(column, value: str | None) -> str | None:
    """A display value as kept: without NUL characters (PostgreSQL text cannot hold one) and cut to its column,
    since a platform may send a longer title than we keep."""
    return value.replace("\x00", "")[:column.type.length] if value else value


def _address(email: str | None) -> str | None:
    """An address longer than its column (RFC 5321 caps a path at 256), or with a NUL in it, is no address:
    not kept."""
    return email if email and len(email) <= User.email.type.length and "\x00" not in email else None


def _present(**values) -> dict:
    """Only what the platform sent: a launch without a name keeps the name we had."""
    return {k: v for k, v in values.items() if v}


def save_launch(connection: Connection, facts: LaunchFacts, recent: RecentWrites | None = None) -> Learner:
    """Upsert the user, course, placement and membership a launch names, in the caller's transaction. With
    ``recent``, the course and placement rows this process wrote lately with the same values are not written
    again (a course's learners launch the same placement; their own rows change at every launch)."""
    now = utcnow()
    platform = {"platform_id": facts.platform_id}
    write = recent.write if recent else upsert
    user_id = upsert(connection, User, platform | {"sub": facts.sub}, {"last_launch_at": now}
                     | _present(name=_clipped(User.name, facts.name), email=_address(facts.email)))
    context_id = None
    if facts.context.get("id"):
        context_id = write(connection, Context, platform | {"context_id": str(facts.context["id"])},
                           _present(title=_clipped(Context.title, facts.context.get("title")),
                                    label=_clipped(Context.label, facts.context.get("label"))))
        upsert(connection, Membership, {"user_id": user_id, "context_id": context_id},
               {"role": facts.role.value, "roles": facts.roles, "last_launch_at": now})
    if facts.resource_link.get("id"):
        write(connection, ResourceLink, platform | {"resource_link_id": str(facts.resource_link["id"])},
              {"context_id": context_id, "module_id": facts.module_id}
              | _present(title=_clipped(ResourceLink.title, facts.resource_link.get("title"))))
    course = str(facts.context["id"]) if context_id else None
    return Learner(user_id=user_id, context_id=context_id, issuer=facts.issuer, sub=facts.sub, course=course)


def learner_of(connection: Connection, user_id: int, context_id: int | None) -> Learner:
    """A learner someone else acts upon (a trainer revoking their credential), in LMS terms."""
    issuer, sub = connection.execute(select(Platform.issuer, User.sub).join(User, User.platform_id == Platform.id)
                                     .where(User.id == user_id)).one()
    course = connection.execute(select(Context.context_id).where(Context.id == context_id)).scalar_one() \
        if context_id else None
    return Learner(user_id, context_id, issuer, sub, course)


def known_accounts(connection: Connection) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Replay: the tool's user ids by (issuer, sub), and its course ids by (issuer, LMS context id)."""
    users = {(row.issuer, row.sub): row.id for row in connection.execute(
        select(User.id, User.sub, Platform.issuer).join(Platform, Platform.id == User.platform_id))}
    courses = {(row.issuer, row.context_id): row.id for row in connection.execute(
        select(Context.id, Context.context_id, Platform.issuer).join(Platform, Platform.id == Context.platform_id))}
    return users, courses


def course_members(session: Session, context_id: int, role: Role = Role.LEARNER) -> list[tuple[User, Membership]]:
    """Members of a course with a given role, most recent launch first."""
    rows = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == role.value)
        .order_by(Membership.last_launch_at.desc())
    )
    return [(user, membership) for user, membership in rows]
