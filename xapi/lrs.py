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
        self._learners: dict[tuple[int, int | None], Learner] = {}

    @property
    def tool_authority(self) -> dict:
        return {"objectType": "Agent", "name": "Passeport",
                "account": {"homePage": self.base_url, "name": "passeport"}}

    def after_store(self, connection: Connection, statements: list[dict]) -> None:
        """Everything stored here is forwarded to the external LRSs, in the same transaction."""
        enqueue(connection, statements)

    def record_event(self, connection: Connection, event: LearningEvent) -> None:
        """The learning-event listener: the event as a statement, stored and queued with the projection update."""
        self._record(connection, self.builder.build(event, self._learner(connection, event.user_id, event.context_id)))

    def record_earned(self, connection: Connection, event: LearningEvent, credential_url: str, achievement_id: str,
                      achievement_name: str) -> None:
        learner = self._learner(connection, event.user_id, event.context_id)
        self._record(connection, self.builder.earned(event, learner, credential_url, achievement_id, achievement_name))

    def _record(self, connection: Connection, statement: dict) -> None:
        validate_statements([statement])
        prepared = [prepare(statement, self.tool_authority, now_iso())]
        self.store.insert_new(connection, prepared)
        self.after_store(connection, prepared)

    def _learner(self, connection: Connection, user_id: int, context_id: int | None) -> Learner:
        """Who the statement is about. A user's issuer and sub, and a course's LMS id, never change,
        so they are remembered per process."""
        key = (user_id, context_id)
        learner = self._learners.get(key)
        if learner is None:
            row = connection.execute(select(Platform.issuer, User.sub).join(User, User.platform_id == Platform.id)
                                     .where(User.id == user_id)).one()
            course = connection.execute(select(Context.context_id).where(Context.id == context_id)).scalar_one() \
                if context_id else None
            if len(self._learners) > 100_000:
                self._learners.clear()
            learner = self._learners[key] = Learner(row.issuer, row.sub, course)
        return learner
