"""retention and indexes: history per recipe, stats windows, pruning by age

Indexes for the list/history/stats queries and for the background pruning (issue 15): a recipe's outcomes
newest first, its runs and audit entries by time, and settled ledger rows by age.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_executions_recipe_updated', 'executions', ['recipe_id', 'updated_at', 'id'])
    op.create_index('ix_runs_recipe_started', 'runs', ['recipe_id', 'started_at'])
    op.create_index('ix_audit_log_recipe_at', 'audit_log', ['recipe_id', 'at'])
    op.create_index('ix_deliveries_status_updated', 'deliveries', ['status', 'updated_at'])


def downgrade() -> None:
    op.drop_index('ix_deliveries_status_updated', table_name='deliveries')
    op.drop_index('ix_audit_log_recipe_at', table_name='audit_log')
    op.drop_index('ix_runs_recipe_started', table_name='runs')
    op.drop_index('ix_executions_recipe_updated', table_name='executions')
