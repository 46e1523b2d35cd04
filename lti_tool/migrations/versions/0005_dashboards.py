"""dashboards: time spent and failed attempts in the progress projection, question misses per course

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('progress') as batch:
        batch.add_column(sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('time_spent_seconds', sa.Integer(), server_default='0', nullable=False))
    op.create_index('ix_memberships_context_role', 'memberships', ['context_id', 'role'])
    op.create_table('question_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('misses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('context_id', 'module_id', 'question_id')
    )


def downgrade() -> None:
    op.drop_table('question_misses')
    op.drop_index('ix_memberships_context_role', table_name='memberships')
    with op.batch_alter_table('progress') as batch:
        batch.drop_column('time_spent_seconds')
        batch.drop_column('failed_attempts')
