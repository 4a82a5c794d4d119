"""ids never reused

An access token names its account and user by their ids, and lasts until it expires, its
account deleted or not: the next account or user must not take the id of one deleted. With
AUTOINCREMENT, SQLite never hands out an id again; without it, the next row takes the
largest id plus one, the id of the last row deleted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "accounts")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always"):
            pass
