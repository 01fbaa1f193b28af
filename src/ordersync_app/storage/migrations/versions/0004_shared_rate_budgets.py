"""rate budgets shared by every process of a database; run heartbeats

Every ``ordersync worker`` on every machine sharing one database reserves an account's calls from one
sliding-window log, so together they stay inside the vendor's limit; a 429 pauses them all. Runs record
their lease heartbeats, so overlapping runs of one recipe can be ruled out afterwards.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_budgets',
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('family', sa.String(length=50), nullable=False),
    sa.Column('per_seconds', sa.Float(), nullable=False),
    sa.Column('touched', sa.Float(), nullable=False),
    sa.Column('paused_until', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('account', 'family', 'per_seconds')
    )
    op.create_table('rate_reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('family', sa.String(length=50), nullable=False),
    sa.Column('per_seconds', sa.Float(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rate_reservations', schema=None) as batch_op:
        batch_op.create_index('ix_rate_reservations_window', ['account', 'family', 'per_seconds', 'at'], unique=False)
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', ordersync_app.storage.tables.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('holder', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('holder')
        batch_op.drop_column('heartbeat_at')
    op.drop_table('rate_reservations')
    op.drop_table('rate_budgets')
