"""What a StatementRef leads to, stored on the referring statement: the agent and activity index rows of every
statement along its chain copied onto it (``origin_id`` set), and their verbs and registrations in
``xapi_statement_targets``; existing referring statements get theirs here.

Revision ID: x0004
Revises: x0003
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = 'x0004'
down_revision = 'x0003'
branch_labels = None
depends_on = None

INDEX_TABLES = {'xapi_statement_agents': 'agent_key', 'xapi_statement_activities': 'activity_id'}
# Every (referring statement, statement along its chain) pair; UNION ends cycles.
CHAIN = ("WITH RECURSIVE chain(id, stored, target_id) AS ("
         " SELECT id, stored, object_statement_id FROM xapi_statements WHERE object_statement_id IS NOT NULL"
         " UNION SELECT chain.id, chain.stored, step.object_statement_id FROM chain"
         " JOIN xapi_statements step ON step.id = chain.target_id WHERE step.object_statement_id IS NOT NULL) ")


def upgrade() -> None:
    for table in INDEX_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('origin_id', sa.String(length=36), nullable=True))
    op.create_table('xapi_statement_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('origin_id', sa.String(length=36), nullable=False),
    sa.Column('verb_id', sa.String(length=2048), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['xapi_statements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('xapi_statement_targets', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statement_targets_registration', ['registration', 'stored', 'statement_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_targets_statement_id'), ['statement_id'], unique=False)
        batch_op.create_index('ix_xapi_statement_targets_verb', ['verb_id', 'stored', 'statement_id'], unique=False)
    for table, key in INDEX_TABLES.items():
        op.execute(f"INSERT INTO {table} (statement_id, {key}, role, stored, origin_id) {CHAIN}"
                   f"SELECT chain.id, mention.{key}, mention.role, chain.stored, mention.statement_id FROM chain"
                   f" JOIN {table} mention ON mention.statement_id = chain.target_id AND mention.origin_id IS NULL"
                   " WHERE chain.target_id <> chain.id")
    op.execute(f"INSERT INTO xapi_statement_targets (statement_id, origin_id, verb_id, registration, stored) {CHAIN}"
               "SELECT chain.id, target.id, target.verb_id, target.registration, chain.stored FROM chain"
               " JOIN xapi_statements target ON target.id = chain.target_id WHERE chain.target_id <> chain.id")


def downgrade() -> None:
    with op.batch_alter_table('xapi_statement_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statement_targets_verb')
        batch_op.drop_index(batch_op.f('ix_xapi_statement_targets_statement_id'))
        batch_op.drop_index('ix_xapi_statement_targets_registration')
    op.drop_table('xapi_statement_targets')
    for table in INDEX_TABLES:
        op.execute(f"DELETE FROM {table} WHERE origin_id IS NOT NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('origin_id')
