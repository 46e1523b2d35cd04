"""Indexes that serve a page of a filtered statement query without scanning: the statement's `stored`
copied into the agent and activity index tables, per-filter indexes on non-voided statements, and a
small partial index of the statements that target another one.

Revision ID: x0003
Revises: x0002
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = 'x0003'
down_revision = 'x0002'
branch_labels = None
depends_on = None

INDEX_TABLES = {'xapi_statement_agents': 'agent_key', 'xapi_statement_activities': 'activity_id'}
NOT_VOIDED = sa.text('NOT voided')
REFERS = sa.text('object_statement_id IS NOT NULL')


def upgrade() -> None:
    for table, key in INDEX_TABLES.items():
        op.add_column(table, sa.Column('stored', sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET stored = (SELECT s.stored FROM xapi_statements s"
                   f" WHERE s.id = {table}.statement_id)")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('stored', existing_type=sa.DateTime(timezone=True), nullable=False)
            batch_op.drop_index(f'ix_{table}_lookup')
            batch_op.create_index(f'ix_{table}_lookup', [key, 'role', 'stored', 'statement_id'], unique=False)
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statements_verb_id')
        batch_op.drop_index('ix_xapi_statements_registration')
        batch_op.create_index('ix_xapi_statements_verb', ['verb_id', 'stored', 'id'], unique=False,
                              postgresql_where=NOT_VOIDED, sqlite_where=NOT_VOIDED)
        batch_op.create_index('ix_xapi_statements_registration', ['registration', 'stored', 'id'], unique=False,
                              postgresql_where=NOT_VOIDED, sqlite_where=NOT_VOIDED)
        batch_op.create_index('ix_xapi_statements_refs', ['object_statement_id', 'stored', 'id', 'voided'],
                              unique=False,
                              postgresql_where=REFERS, sqlite_where=REFERS)


def downgrade() -> None:
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statements_refs')
        batch_op.drop_index('ix_xapi_statements_registration')
        batch_op.drop_index('ix_xapi_statements_verb')
        batch_op.create_index('ix_xapi_statements_registration', ['registration'], unique=False)
        batch_op.create_index('ix_xapi_statements_verb_id', ['verb_id'], unique=False)
    for table, key in INDEX_TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_lookup')
            batch_op.create_index(f'ix_{table}_lookup', [key, 'role'], unique=False)
            batch_op.drop_column('stored')
