"""revocation note and author; issuer profile; cached signed status lists

Revision ID: 0008
Revises: 0005_items
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0005_items'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=255), nullable=True))
    op.create_table('issuer_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('image_url', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('status_lists',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('status_lists')
    op.drop_table('issuer_profile')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revocation_note')
