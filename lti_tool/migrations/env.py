from alembic import context

from lti_tool.db import make_engine
from lti_tool.models import Base
from xapi.models import XapiBase

config = context.config


def run_migrations() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=[Base.metadata, XapiBase.metadata], render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
