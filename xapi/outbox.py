"""The durable outbox: one row per statement × external LRS, written with the statement itself."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from .models import Endpoint, OutboxEntry, utcnow

OUTBOX = OutboxEntry.__table__
ENDPOINTS = Endpoint.__table__


def save_endpoint(connection: Connection, name: str, url: str, username: str | None = None,
                  password: str | None = None, platform_issuer: str | None = None) -> bool:
    """Add or update the external LRS called ``name``; True when it was added."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"an external LRS URL must be http(s), got {url!r}")
    values = {"url": url, "username": username, "password": password, "platform_issuer": platform_issuer,
              "enabled": True}
    found = connection.execute(select(ENDPOINTS.c.id).where(ENDPOINTS.c.name == name)).scalar()
    if found:
        connection.execute(update(ENDPOINTS).where(ENDPOINTS.c.id == found).values(**values))
    else:
        connection.execute(insert(ENDPOINTS).values(name=name, created_at=utcnow(), **values))
    return not found


def enqueue(connection: Connection, statements: list[dict]) -> None:
    endpoints = connection.execute(select(ENDPOINTS.c.id, ENDPOINTS.c.platform_issuer)
                                   .where(ENDPOINTS.c.enabled.is_(True))).all()
    if not endpoints:
        return
    now = utcnow()
    rows = [{"statement_id": s["id"], "endpoint_id": e.id, "status": "pending", "attempts": 0,
             "next_attempt_at": now, "created_at": now}
            for s in statements for e in endpoints if e.platform_issuer in (None, _home_page(s))]
    if rows:
        connection.execute(insert(OUTBOX), rows)


def _home_page(statement: dict) -> str | None:
    return ((statement.get("actor") or {}).get("account") or {}).get("homePage")


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Exponential: base, 2·base, 4·base … up to cap seconds."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def due(connection: Connection, endpoint_id: int, limit: int, now: datetime) -> list:
    query = (select(OUTBOX.c.id, OUTBOX.c.statement_id, OUTBOX.c.attempts)
             .where(OUTBOX.c.endpoint_id == endpoint_id, OUTBOX.c.status == "pending",
                    OUTBOX.c.next_attempt_at <= now)
             .order_by(OUTBOX.c.id).limit(limit))
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return connection.execute(query).all()


def mark_delivered(connection: Connection, entry_ids: list[int]) -> None:
    connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(entry_ids))
                       .values(status="delivered", delivered_at=utcnow(), last_error=None))


def mark_failed(connection: Connection, entries: list, error: str, *, base: float, cap: float,
                max_attempts: int, permanent: bool = False) -> None:
    now = datetime.now(timezone.utc)
    for entry in entries:
        attempts = entry.attempts + 1
        dead = permanent or attempts >= max_attempts
        connection.execute(update(OUTBOX).where(OUTBOX.c.id == entry.id).values(
            attempts=attempts, last_error=error[:2000], status="dead" if dead else "pending",
            next_attempt_at=now + backoff(attempts, base, cap)))


def summary(connection: Connection) -> list:
    """Counts per endpoint and status, for administrators."""
    return connection.execute(
        select(ENDPOINTS.c.name, OUTBOX.c.status, func.count())
        .join(ENDPOINTS, ENDPOINTS.c.id == OUTBOX.c.endpoint_id)
        .group_by(ENDPOINTS.c.name, OUTBOX.c.status).order_by(ENDPOINTS.c.name, OUTBOX.c.status)).all()


def dead_letters(connection: Connection, limit: int = 50) -> list:
    return connection.execute(
        select(ENDPOINTS.c.name, OUTBOX.c.statement_id, OUTBOX.c.attempts, OUTBOX.c.last_error)
        .join(ENDPOINTS, ENDPOINTS.c.id == OUTBOX.c.endpoint_id)
        .where(OUTBOX.c.status == "dead").order_by(OUTBOX.c.id).limit(limit)).all()


def retry_dead(connection: Connection) -> int:
    result = connection.execute(update(OUTBOX).where(OUTBOX.c.status == "dead")
                                .values(status="pending", attempts=0, next_attempt_at=utcnow()))
    return result.rowcount
