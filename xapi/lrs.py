"""The embedded LRS as a service: its database, its public URL, the statement store, forwarding."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.engine import Connection

from . import basic_auth
from .forwarding import enqueue_statements
from .sealing import Sealer
from .sql import Connections
from .store import SqlStatementStore, now_iso, prepare
from .validation import validate_statements

PAGE_SIZE = 100
MAX_BATCH = 1000
"""Statements per POST: larger batches are refused (413) so one request cannot hold a worker for minutes."""
_serving: ContextVar[Lrs] = ContextVar("xapi_lrs")


class Lrs:
    def __init__(self, database: Connections, base_url: str, page_size: int = PAGE_SIZE, secret: str = "",
                 sealer: Sealer | None = None):
        self.database, self.base_url, self.page_size = database, base_url, page_size
        self.secret = secret  # signs the ``more`` paging tokens
        self.sealer = sealer  # seals external LRS passwords at rest
        self.max_batch = MAX_BATCH
        self.throttle = basic_auth.Throttle()
        self.store = SqlStatementStore()

    def after_store(self, connection: Connection, statements: list[dict]) -> None:
        """Everything stored here is forwarded to the external LRSs, in the same transaction."""
        enqueue_statements(connection, statements)

    def store_generated(self, connection: Connection, statements: list[dict], authority: dict) -> None:
        """Statements the host application just built (fresh ids), stored and queued in the caller's transaction."""
        validate_statements(statements)
        prepared = [prepare(statement, authority, now_iso()) for statement in statements]
        self.store.insert_new(connection, prepared)
        self.after_store(connection, prepared)

    @contextmanager
    def serving(self) -> Iterator[Lrs]:
        """Make this LRS the one the HTTP handlers answer for, for one request."""
        token = _serving.set(self)
        try:
            yield self
        finally:
            _serving.reset(token)


def current_lrs() -> Lrs:
    """The LRS whose blueprint is answering the current request."""
    return _serving.get()
