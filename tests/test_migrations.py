"""Models and migrations agree: upgrading to head then autogenerating finds nothing to do, on both databases."""
from __future__ import annotations

from alembic import command

from lti_tool.migrations import alembic_config, upgrade


def test_models_and_migrations_do_not_drift(database_url):
    """``alembic check`` through the project's own env.py: any table, column, type, index or constraint a model
    declares and no migration creates (or the reverse) fails here with the operations it would generate."""
    upgrade(database_url)
    command.check(alembic_config(database_url))
