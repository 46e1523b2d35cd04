"""A durable outbox any consumer can use: rows written in the producer's transaction, delivered by a worker.

A consumer registers one delivery function per ``kind`` (xAPI statements to
external LRSs, scores to LMS gradebooks…). The worker hands it the due entries
of one destination in a batch, inside a transaction that keeps them locked
(``SKIP LOCKED`` on PostgreSQL, so several workers share the work); what it
reports delivered is marked so, what failed is retried with exponential
backoff, and an entry that fails permanently or too often becomes a visible
dead letter. Items carry stable ids, so a consumer can deliver idempotently.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.engine import Connection

from .models import OutboxEntry
from .sql import Connections, dialect_insert, utcnow

log = logging.getLogger(__name__)
OUTBOX: Table = OutboxEntry.__table__


@dataclass(frozen=True)
class Policy:
    batch_size: int = 100
    timeout: float = 10.0  # seconds a delivery function may spend on one call to the outside
    max_attempts: int = 12
    backoff_base: float = 2.0
    backoff_cap: float = 600.0


@dataclass(frozen=True)
class Entry:
    id: int
    item_id: str
    attempts: int


@dataclass(frozen=True)
class Failure:
    entries: list[Entry]
    error: str
    permanent: bool = False  # refused for good: a dead letter at once


@dataclass
class Outcome:
    """What a delivery function reports for one batch."""

    delivered: list[Entry] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)


class Deliver(Protocol):
    def __call__(self, connection: Connection, destination: str, entries: list[Entry]) -> Outcome:
        """Deliver ``entries`` to ``destination``; ``connection`` is the batch's transaction (for reading items)."""


_ENQUEUE: dict[str, Any] = {}  # per dialect, built once


def enqueue(connection: Connection, kind: str, destination: str, item_ids: Iterable[str]) -> None:
    """Queue items for a destination in the caller's transaction; an item already queued there is kept as is."""
    now = utcnow()
    rows = [{"kind": kind, "destination": destination, "item_id": item_id, "status": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now} for item_id in item_ids]
    if rows:
        statement = _ENQUEUE.get(connection.dialect.name)
        if statement is None:
            statement = _ENQUEUE[connection.dialect.name] = dialect_insert(connection, OUTBOX).on_conflict_do_nothing(
                index_elements=["kind", "destination", "item_id"])
        connection.execute(statement, rows)


def discard(connection: Connection, kind: str, destination: str) -> int:
    """Forget everything queued for a destination that no longer exists."""
    return connection.execute(delete(OUTBOX).where(OUTBOX.c.kind == kind,
                                                   OUTBOX.c.destination == destination)).rowcount


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Exponential: base, 2·base, 4·base … up to cap seconds."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


class Outbox:
    """The worker: one delivery function per kind, registered by its consumer."""

    def __init__(self, database: Connections, policy: Policy | None = None):
        self.database, self.policy = database, policy or Policy()
        self.consumers: dict[str, Deliver] = {}

    def register(self, kind: str, deliver: Deliver) -> None:
        self.consumers[kind] = deliver

    def run_once(self) -> int:
        """Deliver what is due for every registered kind and destination; returns how many items were delivered."""
        with self.database.read() as connection:
            queues = connection.execute(
                select(OUTBOX.c.kind, OUTBOX.c.destination).distinct()
                .where(OUTBOX.c.status == "pending", OUTBOX.c.kind.in_(list(self.consumers)),
                       OUTBOX.c.next_attempt_at <= utcnow())).all()
        return sum(self._drain(kind, destination) for kind, destination in queues)

    def run_forever(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                delivered = self.run_once()
            except Exception:  # a bad cycle must not stop the worker; it is logged and retried
                log.exception("outbox cycle failed")
                delivered = 0
            if not delivered:
                stop.wait(idle_seconds)

    def _drain(self, kind: str, destination: str) -> int:
        delivered = 0
        while True:
            with self.database.begin() as connection:
                entries = self._due(connection, kind, destination)
                if not entries:
                    return delivered
                outcome = self.consumers[kind](connection, destination, entries)
                if outcome.delivered:
                    self._mark_delivered(connection, outcome.delivered)
                for failure in outcome.failed:
                    self._mark_failed(connection, failure)
            delivered += len(outcome.delivered)
            if outcome.failed:
                return delivered

    def _due(self, connection: Connection, kind: str, destination: str) -> list[Entry]:
        query = (select(OUTBOX.c.id, OUTBOX.c.item_id, OUTBOX.c.attempts)
                 .where(OUTBOX.c.kind == kind, OUTBOX.c.destination == destination, OUTBOX.c.status == "pending",
                        OUTBOX.c.next_attempt_at <= utcnow())
                 .order_by(OUTBOX.c.id).limit(self.policy.batch_size))
        if connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return [Entry(row.id, row.item_id, row.attempts) for row in connection.execute(query)]

    def _mark_delivered(self, connection: Connection, entries: list[Entry]) -> None:
        connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_([e.id for e in entries]))
                           .values(status="delivered", delivered_at=utcnow(), last_error=None))

    def _mark_failed(self, connection: Connection, failure: Failure) -> None:
        now, policy = utcnow(), self.policy
        for entry in failure.entries:
            attempts = entry.attempts + 1
            dead = failure.permanent or attempts >= policy.max_attempts
            connection.execute(update(OUTBOX).where(OUTBOX.c.id == entry.id).values(
                attempts=attempts, last_error=failure.error[:2000], status="dead" if dead else "pending",
                next_attempt_at=now + backoff(attempts, policy.backoff_base, policy.backoff_cap)))


def summary(connection: Connection) -> Sequence:
    """Counts per kind, destination and status, for administrators."""
    return connection.execute(
        select(OUTBOX.c.kind, OUTBOX.c.destination, OUTBOX.c.status, func.count())
        .group_by(OUTBOX.c.kind, OUTBOX.c.destination, OUTBOX.c.status)
        .order_by(OUTBOX.c.kind, OUTBOX.c.destination, OUTBOX.c.status)).all()


def dead_letters(connection: Connection, limit: int = 50) -> Sequence:
    return connection.execute(
        select(OUTBOX.c.kind, OUTBOX.c.destination, OUTBOX.c.item_id, OUTBOX.c.attempts, OUTBOX.c.last_error)
        .where(OUTBOX.c.status == "dead").order_by(OUTBOX.c.id).limit(limit)).all()


def retry_dead(connection: Connection) -> int:
    result = connection.execute(update(OUTBOX).where(OUTBOX.c.status == "dead")
                                .values(status="pending", attempts=0, next_attempt_at=utcnow()))
    return result.rowcount

