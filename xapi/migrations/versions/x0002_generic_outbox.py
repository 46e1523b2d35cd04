"""The generic outbox: any consumer's deliveries (kind, destination, item) replace the statements-only queue.

Revision ID: x0002
Revises: x0001
Create Date: 2026-12-20
"""
import sqlalchemy as sa
from alembic import op

revision = 'x0002'
down_revision = 'x0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('destination', sa.String(length=255), nullable=False),
    sa.Column('item_id', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'destination', 'item_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
    op.execute(
        "INSERT INTO outbox (kind, destination, item_id, status, attempts, next_attempt_at, last_error, created_at,"
        " delivered_at) SELECT 'xapi-statement', e.name, o.statement_id, o.status, o.attempts, o.next_attempt_at,"
        " o.last_error, o.created_at, o.delivered_at FROM xapi_outbox o JOIN xapi_endpoints e ON e.id = o.endpoint_id")
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_outbox_due')
    op.drop_table('xapi_outbox')


def downgrade() -> None:
    op.create_table('xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['xapi_endpoints.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['xapi_statements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('statement_id', 'endpoint_id')
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_outbox_due', ['status', 'next_attempt_at'], unique=False)
    op.execute(
        "INSERT INTO xapi_outbox (statement_id, endpoint_id, status, attempts, next_attempt_at, last_error,"
        " created_at, delivered_at) SELECT o.item_id, e.id, o.status, o.attempts, o.next_attempt_at, o.last_error,"
        " o.created_at, o.delivered_at FROM outbox o JOIN xapi_endpoints e ON e.name = o.destination"
        " WHERE o.kind = 'xapi-statement'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')
