"""account display names; indexes for paging Activity in the query

Accounts get a display name in any language ("我的店铺") beside their ASCII key. Activity reads record
outcomes a page at a time, newest first, filtered by outcome, recipe and date in the query itself, so
100,000 outcomes page as fast as 100: these indexes serve those orderings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=200), nullable=True))
    with op.batch_alter_table('executions', schema=None) as batch_op:
        batch_op.create_index('ix_executions_updated', ['updated_at', 'id'], unique=False)
        batch_op.create_index('ix_executions_status_updated', ['status', 'updated_at'], unique=False)
        batch_op.create_index('ix_executions_recipe_status_updated', ['recipe_id', 'status', 'updated_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('executions', schema=None) as batch_op:
        batch_op.drop_index('ix_executions_recipe_status_updated')
        batch_op.drop_index('ix_executions_status_updated')
        batch_op.drop_index('ix_executions_updated')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('display_name')
