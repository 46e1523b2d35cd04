"""The listener that writes every domain event as a statement in the embedded LRS, in the event's transaction."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Connection

from xapi.lrs import Lrs

from ..domain.learning import LearningEvent
from .builders import StatementBuilder


class StatementWriter:
    def __init__(self, lrs: Lrs, builder: StatementBuilder):
        self.lrs, self.builder = lrs, builder

    @property
    def authority(self) -> dict:
        """The tool itself, as the authority of the statements it writes (replay reads these only)."""
        return {"objectType": "Agent", "name": "Passeport",
                "account": {"homePage": self.lrs.base_url, "name": "passeport"}}

    def __call__(self, connection: Connection, events: Sequence[LearningEvent]) -> None:
        self.lrs.store_generated(connection, [self.builder.build(event) for event in events], self.authority)
