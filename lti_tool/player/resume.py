"""Where a launched learner lands."""
from __future__ import annotations

from flask import url_for

from ..domain.learning import Resume


def resume_url(module_id: str, resume: Resume) -> str:
    if resume.quiz:
        return url_for("player.quiz", module_id=module_id)
    if resume.section_id:
        return url_for("player.section", module_id=module_id, section_id=resume.section_id)
    return url_for("player.module", module_id=module_id)
