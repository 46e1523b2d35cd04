"""badges: issuer keys and awards

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 23:48:08.507430
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('badge_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fragment', sa.String(length=64), nullable=False),
    sa.Column('public_multibase', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fragment')
    )
    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('awarded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('credential', sa.JSON(), nullable=True),
    sa.Column('credential_jwt', sa.Text(), nullable=True),
    sa.Column('holder_name', sa.String(length=255), nullable=True),
    sa.Column('email_hash', sa.String(length=100), nullable=True),
    sa.Column('email_salt', sa.String(length=64), nullable=True),
    sa.Column('company_name', sa.String(length=255), nullable=True),
    sa.Column('company_siren', sa.String(length=9), nullable=True),
    sa.Column('company_created_on', sa.Date(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid'),
    sa.UniqueConstraint('user_id', 'kind', 'module_id')
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_user_id'))

    op.drop_table('awards')
    op.drop_table('badge_keys')
