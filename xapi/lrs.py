"""The embedded LRS as a service: store, outbox, and the listener that records the tool's own statements."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from lti_tool.db import Database
from lti_tool.domain.learning import LearningEvent
from lti_tool.models import Context, Platform, User

from .builders import Learner, StatementBuilder
from .outbox import enqueue
from .store import SqlStatementStore, now_iso, prepare
from .validation import validate_statements

PAGE_SIZE = 100


class Lrs:
    def __init__(self, database: Database, base_url: str, builder: StatementBuilder, page_size: int = PAGE_SIZE):
        self.database, self.base_url, self.builder, self.page_size = database, base_url, builder, page_size
        self.store = SqlStatementStore()

    @property
    def tool_authority(self) -> dict:
        return {"objectType": "Agent", "name": "Passeport",
                "account": {"homePage": self.base_url, "name": "passeport"}}

    def after_store(self, connection: Connection, statements: list[dict]) -> None:
        """Everything stored here is forwarded to the external LRSs, in the same transaction."""
        enqueue(connection, statements)

    def record_event(self, connection: Connection, event: LearningEvent) -> None:
        """The learning-event listener: the event as a statement, stored and queued with the projection update."""
        statement = self.builder.build(event, self._learner(connection, event.user_id, event.context_id))
        validate_statements([statement])
        prepared = [prepare(statement, self.tool_authority, now_iso())]
        self.store.save(connection, prepared)
        self.after_store(connection, prepared)

    def _learner(self, connection: Connection, user_id: int, context_id: int | None) -> Learner:
        issuer, sub = _identity(connection, user_id)
        course = _course(connection, context_id) if context_id else None
        return Learner(issuer, sub, course)


def _identity(connection: Connection, user_id: int) -> tuple[str, str]:
    row = connection.execute(select(Platform.issuer, User.sub).join(User, User.platform_id == Platform.id)
                             .where(User.id == user_id)).one()
    return row.issuer, row.sub


def _course(connection: Connection, context_id: int) -> str:
    return connection.execute(select(Context.context_id).where(Context.id == context_id)).scalar_one()
