"""shared settings: app-wide settings in the database (retention), not in one machine's data directory

Issue 14: every worker and desktop app attached to a team database sees the same settings. The retention
setting moves here from ``<home>/retention.json`` (imported on first use, the file renamed ``.imported``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'settings',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('updated_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('settings')
