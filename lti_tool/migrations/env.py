from alembic import context

from lti_tool.db import make_engine
from lti_tool.models import Base

config = context.config
METADATA = Base.metadata


def _ours(name, type_, _parent_names) -> bool:
    """Autogenerate compares the tool's tables only: xapi's have their own migrations."""
    return type_ != "table" or name in METADATA.tables


def run_migrations() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True,
                          include_name=_ours)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
