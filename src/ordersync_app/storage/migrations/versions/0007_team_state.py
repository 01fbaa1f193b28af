"""team state: alert settings, alert policy state and alert deliveries in the database

Every worker and desktop app attached to one (team) database sees the same alert settings and the same
policy state, so a failure is announced once, not once per machine. An old ``<home>/alerts.json`` is
imported on first use by ``services.alerts`` (then renamed ``alerts.json.imported``). Secrets stay in the
keychain.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ordersync_app.storage.tables

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    settings = op.create_table('alert_settings',
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('updated_at', ordersync_app.storage.tables.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('section', 'name')
    )
    op.create_table('alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('recipe', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('sink', sa.String(length=40), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(settings, [{'section': 'lock', 'name': '', 'value': None,
                               'updated_at': ordersync_app.storage.tables.utcnow()}])


def downgrade() -> None:
    op.drop_table('alert_deliveries')
    op.drop_table('alert_settings')
