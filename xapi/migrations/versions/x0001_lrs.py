"""The embedded LRS: statements and their index, activities, attachments, documents, credentials, external
LRSs and their delivery queue (moved here from the application's migration 0003, unchanged).

Revision ID: x0001
Revises:
Create Date: 2026-12-20
"""
import sqlalchemy as sa
from alembic import op

revision = 'x0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table('xapi_statements'):
        return  # created by the application's migrations before xapi had its own
    op.create_table('xapi_activities',
    sa.Column('id', sa.String(length=2048), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('xapi_attachments',
    sa.Column('sha2', sa.String(length=128), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha2')
    )
    op.create_table('xapi_credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('xapi_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('document_id', sa.String(length=2048), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'activity_id', 'agent_key', 'registration', 'document_id')
    )
    op.create_table('xapi_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=True),
    sa.Column('password', sa.String(length=255), nullable=True),
    sa.Column('platform_issuer', sa.String(length=500), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('xapi_statements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verb_id', sa.String(length=2048), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('object_statement_id', sa.String(length=36), nullable=True),
    sa.Column('voided', sa.Boolean(), nullable=False),
    sa.Column('is_voiding', sa.Boolean(), nullable=False),
    sa.Column('authority_key', sa.String(length=512), nullable=True),
    sa.Column('document', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_statements_registration'), ['registration'], unique=False)
        batch_op.create_index('ix_xapi_statements_stored', ['stored', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_verb_id'), ['verb_id'], unique=False)

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

    op.create_table('xapi_statement_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('activity_id', sa.String(length=2048), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['xapi_statements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('xapi_statement_activities', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statement_activities_lookup', ['activity_id', 'role'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_activities_statement_id'), ['statement_id'], unique=False)

    op.create_table('xapi_statement_agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('agent_key', sa.String(length=2048), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['xapi_statements.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('xapi_statement_agents', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statement_agents_lookup', ['agent_key', 'role'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statement_agents_statement_id'), ['statement_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('xapi_statement_agents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_agents_statement_id'))
        batch_op.drop_index('ix_xapi_statement_agents_lookup')

    op.drop_table('xapi_statement_agents')
    with op.batch_alter_table('xapi_statement_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statement_activities_statement_id'))
        batch_op.drop_index('ix_xapi_statement_activities_lookup')

    op.drop_table('xapi_statement_activities')
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_outbox_due')

    op.drop_table('xapi_outbox')
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statements_verb_id'))
        batch_op.drop_index('ix_xapi_statements_stored')
        batch_op.drop_index(batch_op.f('ix_xapi_statements_registration'))

    op.drop_table('xapi_statements')
    op.drop_table('xapi_endpoints')
    op.drop_table('xapi_documents')
    op.drop_table('xapi_credentials')
    op.drop_table('xapi_attachments')
    op.drop_table('xapi_activities')
