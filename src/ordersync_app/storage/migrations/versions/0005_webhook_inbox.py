"""webhook inbox

Verified webhook deliveries are stored before they are acknowledged, so a delivery is never lost when the
worker dies between answering the vendor and delivering the record; each recipe reads its trigger's
deliveries past the inbox position kept beside its cursor.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webhook_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('event', sa.String(length=100), nullable=False),
    sa.Column('delivery_id', sa.String(length=100), nullable=False),
    sa.Column('received_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account', 'delivery_id')
    )
    with op.batch_alter_table('webhook_inbox', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_inbox_account_event', ['account', 'event', 'id'], unique=False)
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inbox_id', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('cursors', schema=None) as batch_op:
        batch_op.drop_column('inbox_id')
    op.drop_table('webhook_inbox')
