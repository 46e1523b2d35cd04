"""xapi: embedded LRS, credentials, endpoints, outbox — now created by xapi's own migrations (x0001).

Kept as an empty step so databases at 0003 or later stay on this history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 23:23:57.978391
"""


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
