"""SQL building blocks shared by every table, xapi's and its host application's.

One declarative base and one datetime type: every datetime column is stored in
UTC and read back timezone-aware on every database (SQLite keeps no offset), so
no caller ever patches a naive value. A host application gives its own models
their own metadata by subclassing ``Base`` with ``__abstract__`` and ``metadata``.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import DateTime, Table, TypeDecorator
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time: written as UTC, always read back timezone-aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give the time zone (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Every model's base; ``Mapped[datetime]`` columns are UTC-aware."""

    type_annotation_map = {datetime: UtcDateTime}
    __table__: ClassVar[Table]  # every model maps one Table (SQLAlchemy types it as any FromClause)


def dialect_insert(connection: Connection, table: Any) -> Insert:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL share their shape)."""
    insert_ = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    return insert_(table)  # type: ignore[return-value]


def built_once_per_dialect(build: Callable[[Connection], Any]) -> Callable[[Connection], Any]:
    """``build(connection)``'s statement, built on first use for each dialect, then reused: building a
    statement costs more than running it (upserts, whose ON CONFLICT clause depends on the dialect)."""
    built: dict[str, Any] = {}

    def statement(connection: Connection) -> Any:
        name = connection.dialect.name
        if name not in built:
            built[name] = build(connection)
        return built[name]

    return statement


class Connections(Protocol):
    """What xapi needs from its host's database handle."""

    def read(self) -> AbstractContextManager[Connection]:
        """An autocommit connection for reads."""

    def begin(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction, committed on success."""
