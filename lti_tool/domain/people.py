"""Who launched what: users, courses, placements and memberships, upserted per launch."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..db import upsert
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


def _present(**values) -> dict:
    """Only what the platform sent: a launch without a name keeps the name we had."""
    return {k: v for k, v in values.items() if v}


def record_launch(connection: Connection, facts: LaunchFacts) -> Visit:
    """Upsert the user, course, placement and membership a launch names, in the caller's transaction."""
    now = utcnow()
    platform = {"platform_id": facts.platform_id}
    user_id = upsert(connection, User, platform | {"sub": facts.sub},
                     {"last_launch_at": now} | _present(name=facts.name, email=facts.email))
    context_id = None
    if facts.context.get("id"):
        context_id = upsert(connection, Context, platform | {"context_id": str(facts.context["id"])},
                            _present(title=facts.context.get("title"), label=facts.context.get("label")))
        upsert(connection, Membership, {"user_id": user_id, "context_id": context_id},
               {"role": facts.role.value, "roles": facts.roles, "last_launch_at": now})
    if facts.resource_link.get("id"):
        upsert(connection, ResourceLink, platform | {"resource_link_id": str(facts.resource_link["id"])},
               {"context_id": context_id, "module_id": facts.module_id}
               | _present(title=facts.resource_link.get("title")))
    return Visit(user_id=user_id, context_id=context_id)


def course_members(session: Session, context_id: int, role: Role = Role.LEARNER) -> list[tuple[User, Membership]]:
    """Members of a course with a given role, most recent launch first."""
    rows = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id, Membership.role == role.value)
        .order_by(Membership.last_launch_at.desc())
    )
    return [(user, membership) for user, membership in rows]
