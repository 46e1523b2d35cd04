"""Awarding rules: a credential for each passed module, the passport at ``min_modules`` passed.

Each award is made exactly once per learner, even when completions race: the
learner's row is locked for the rest of the transaction, so concurrent passes
are counted one after the other, and a unique constraint backs the rule.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from ..models import Award, Progress, User, utcnow
from .catalogue import PassportRule

AWARDS = Award.__table__
PASSPORT = "passport"


@dataclass(frozen=True)
class NewAward:
    id: int
    uid: str
    kind: str
    module_id: str


def award_for_pass(connection: Connection, rule: PassportRule, user_id: int, module_id: str,
                   context_id: int | None) -> list[NewAward]:
    """The awards a newly passed module earns (none if already awarded)."""
    _lock_learner(connection, user_id)
    awarded = [a for a in [_award(connection, user_id, "module", module_id, context_id)] if a]
    passed = connection.execute(select(func.count()).select_from(Progress).where(
        Progress.user_id == user_id, Progress.passed_at.is_not(None))).scalar_one()
    if passed >= rule.min_modules:
        passport = _award(connection, user_id, PASSPORT, "", context_id)
        if passport:
            awarded.append(passport)
    return awarded


def _lock_learner(connection: Connection, user_id: int) -> None:
    """Serialise a learner's awarding (PostgreSQL row lock; SQLite already serialises writers).

    FOR NO KEY UPDATE, not FOR UPDATE: the transaction's own inserts referencing the
    user (progress, statements) hold KEY SHARE locks on this row, which FOR UPDATE
    would wait on — two completions would deadlock."""
    connection.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def _award(connection: Connection, user_id: int, kind: str, module_id: str, context_id: int | None) -> NewAward | None:
    insert_ = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[connection.dialect.name]
    uid = str(uuid.uuid4())
    row = connection.execute(
        insert_(Award).values(uid=uid, user_id=user_id, kind=kind, module_id=module_id, context_id=context_id,
                              awarded_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "module_id"])
        .returning(AWARDS.c.id)).first()
    return NewAward(row.id, uid, kind, module_id) if row else None

