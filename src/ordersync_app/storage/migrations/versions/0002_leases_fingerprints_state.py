"""recipe leases, trigger fingerprints and poll times, account state

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('polled_at', ordersync_app.storage.tables.UtcDateTime(), nullable=True))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('how', sa.String(length=20), nullable=False, server_default='sent'))
    op.create_table('recipe_leases',
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('acquired_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.Column('expires_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recipe_id')
    )
    op.create_table('account_state',
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('updated_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'key')
    )


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('how')
    op.drop_table('account_state')
    op.drop_table('recipe_leases')
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.drop_column('polled_at')
        batch_op.drop_column('fingerprint')
