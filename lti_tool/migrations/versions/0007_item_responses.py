"""quiz: the item-response index beside the answered statements

Revision ID: 0005_items
Revises: 0006
Create Date: 2026-12-06 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_items'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('response', sa.String(length=200), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('rest_score', sa.Double(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['contexts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_item_responses_attempt_id', 'item_responses', ['attempt_id'], unique=False)
    op.create_index('ix_item_responses_item', 'item_responses',
                    ['module_id', 'question_id', 'response', 'correct', 'rest_score'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_item_responses_item', table_name='item_responses')
    op.drop_index('ix_item_responses_attempt_id', table_name='item_responses')
    op.drop_table('item_responses')
