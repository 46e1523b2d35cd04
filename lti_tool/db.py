"""The database handle: one engine per process, plain SQLAlchemy 2, usable with or without Flask."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

    def read(self) -> Connection:
        """A connection for one-statement reads: autocommit, so no BEGIN/ROLLBACK round trips."""
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def begin(self):
        """A Core connection in a transaction, committed on success: the hot paths skip the ORM's bookkeeping."""
        return self.engine.begin()

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
