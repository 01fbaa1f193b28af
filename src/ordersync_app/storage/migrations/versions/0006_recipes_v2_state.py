"""recipes v2 state: echoes, field memory, aggregate parts, the ledger's target key

Echoes remember OrderSync's own writes as the target will show them (the loop guard across recipes and
roles); field memory keeps the last value of a watched field per record ("deal entered stage X");
aggregate parts hold each record's contribution to an aggregate step's totals.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('echoes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('record_key', sa.String(length=200), nullable=False),
    sa.Column('stamp', sa.String(length=100), nullable=False),
    sa.Column('recipe', sa.String(length=100), nullable=False),
    sa.Column('written_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'record_key', 'stamp')
    )
    op.create_table('field_memory',
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recipe_id', 'record_key')
    )
    op.create_table('aggregate_parts',
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.String(length=100), nullable=False),
    sa.Column('record_key', sa.String(length=200), nullable=False),
    sa.Column('group_key', sa.String(length=300), nullable=False),
    sa.Column('currency', sa.String(length=20), nullable=False),
    sa.Column('bucket', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recipe_id', 'step_id', 'record_key')
    )
    with op.batch_alter_table('aggregate_parts', schema=None) as batch_op:
        batch_op.create_index('ix_aggregate_parts_group', ['recipe_id', 'step_id', 'group_key', 'currency', 'bucket'],
                              unique=False)
    op.create_table('source_cursors',
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=True),
    sa.Column('polled_at', ordersync_app.storage.tables.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recipe_id', 'role')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('sent', sa.JSON(), nullable=True))
        batch_op.create_index('ix_deliveries_target', ['recipe_id', 'step', 'target_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_target')
        batch_op.drop_column('sent')
        batch_op.drop_column('target_key')
    with op.batch_alter_table('aggregate_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_aggregate_parts_group')
    op.drop_table('source_cursors')
    op.drop_table('aggregate_parts')
    op.drop_table('field_memory')
    op.drop_table('echoes')
