"""The database handle: one engine per process, plain SQLAlchemy 2, usable with or without Flask."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from xapi.sql import dialect_insert


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # No pre-ping: it costs a round trip per checkout; recycling bounds stale connections instead.
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=300)
    event.listen(engine, "commit", _committing)
    event.listen(engine, "rollback", _rolling_back)
    return engine


def _asynchronous_commit(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    dbapi_connection.commit()


_AFTER_COMMIT = "passeport.after_commit"


def after_commit(connection: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` when the connection's transaction commits; forget it if it rolls back
    (process caches learn only what the database keeps)."""
    connection.info.setdefault(_AFTER_COMMIT, []).append(callback)


def _committing(connection: Connection) -> None:
    for callback in connection.info.pop(_AFTER_COMMIT, ()):
        callback()


def _rolling_back(connection: Connection) -> None:
    connection.info.pop(_AFTER_COMMIT, None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers work during a write; NORMAL sync is durable in WAL mode."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """One engine and session factory per process; three ways in, named by what they do."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.recent_writes = RecentWrites()  # per database: ids are only meaningful in the one they came from

    def read(self) -> Connection:
        """A connection for one-statement reads: autocommit, so no BEGIN/ROLLBACK round trips."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def begin(self):
        """A Core connection in a transaction, committed on success: the hot paths skip the ORM's bookkeeping."""
        return self.engine.begin()

    def write_volatile(self) -> AbstractContextManager[Connection]:
        """For data a crash may lose without harm (a login in flight). On PostgreSQL each statement commits on
        its own (no BEGIN/COMMIT round trips) without waiting for the WAL flush (connections set so once);
        elsewhere, as ``begin``."""
        if self.engine.dialect.name != "postgresql":
            return self.engine.begin()
        return self.volatile_engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def dispose(self) -> None:
        """Close every pooled connection (tests, bench scripts: before dropping their schema)."""
        self.engine.dispose()
        if "volatile_engine" in self.__dict__:
            self.volatile_engine.dispose()

    @cached_property
    def volatile_engine(self) -> Engine:
        if self.engine.dialect.name != "postgresql":
            return self.engine
        engine = create_engine(self.url, pool_size=2, max_overflow=10, pool_recycle=300)
        event.listen(engine, "connect", _asynchronous_commit)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session in a transaction, committed on success and rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session


_UPSERTS: dict[tuple, Any] = {}


def upsert(connection: Connection, model, key: dict, values: dict, returning=None):
    """Insert a row or update it on its unique ``key`` columns; one statement, returns the row id
    (or the ``returning`` columns' row). Statements are built once per shape: building costs more than running."""
    shape = (connection.dialect.name, model, tuple(key), tuple(values), returning)
    statement = _UPSERTS.get(shape)
    if statement is None:
        statement = dialect_insert(connection, model.__table__)
        changes = {name: statement.excluded[name] for name in (values or key)}
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=changes)
        statement = _UPSERTS[shape] = statement.returning(*(returning or (model.__table__.c.id,)))
    result = connection.execute(statement, key | values)
    return result.one() if returning else result.scalar_one()


class RecentlySeen:
    """Facts this process saw committed lately, so that the next requests skip the statement that would find
    them again; forgotten after ``ttl`` seconds."""

    def __init__(self, ttl: float = 600.0, size: int = 10_000):
        self.ttl, self.size = ttl, size
        self._facts: dict[tuple, tuple[float, object]] = {}

    def get(self, key: tuple) -> object | None:
        seen = self._facts.get(key)
        return seen[1] if seen is not None and time.monotonic() - seen[0] < self.ttl else None

    def learn(self, connection: Connection, key: tuple, value: object) -> None:
        after_commit(connection, lambda: self._keep(key, value))

    def forget(self) -> None:
        self._facts.clear()

    def _keep(self, key: tuple, value: object) -> None:
        if len(self._facts) >= self.size:
            self._facts.clear()
        self._facts[key] = (time.monotonic(), value)


class RecentWrites:
    """Upserts this process committed lately, so that a course's other launches skip writing the same row.

    A row removed since (its platform removed) usually comes back under a new platform id, hence a new key; a
    caller that meets a stale id anyway (an integrity error) calls ``forget`` and tries again. A value changed
    elsewhere is written again at the latest after the cache's ttl."""

    def __init__(self) -> None:
        self._written = RecentlySeen()

    def write(self, connection: Connection, model, key: dict, values: dict, unchanged: dict | None = None) -> int:
        """Upsert ``key | values | unchanged`` unless this process wrote the same ``values`` lately; the row id."""
        cache_key = (model.__tablename__, *key.values())
        frozen = _frozen(values)
        written = self._written.get(cache_key)
        if isinstance(written, tuple) and written[0] == frozen:
            return written[1]
        row_id = upsert(connection, model, key, values | (unchanged or {}))
        self._written.learn(connection, cache_key, (frozen, row_id))
        return row_id

    def forget(self) -> None:
        self._written.forget()


def _frozen(values: dict) -> tuple:
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(values.items()))
