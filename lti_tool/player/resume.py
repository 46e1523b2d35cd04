"""Where a returning learner lands."""
from __future__ import annotations

from flask import url_for
from sqlalchemy.engine import Connection

from .. import services
from ..domain.catalogue import Module
from ..domain.learning import progress_of


def resume_url(connection: Connection, user_id: int, module: Module) -> str:
    """An unfinished quiz, else the last section viewed, else the module's page."""
    if services.attempts().open_attempt(connection, user_id, module.id):
        return url_for("player.quiz", module_id=module.id)
    last = (progress_of(connection, user_id).get(module.id) or {}).get("last_section_id")
    if last:
        return url_for("player.section", module_id=module.id, section_id=last)
    return url_for("player.module", module_id=module.id)
