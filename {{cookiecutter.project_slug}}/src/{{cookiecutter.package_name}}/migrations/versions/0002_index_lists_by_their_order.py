"""index lists by their order

A project's tasks and an owner's projects are listed by id, a page after a cursor
(keyset.py): an index on (project_id, id) and one on (owner_id, id) start each page right at
the cursor. Each replaces the index on its first column alone, which it serves as well.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The new index first: the foreign key's lookups always have one.
    op.create_index(op.f("ix_tasks_project_id_id"), "tasks", ["project_id", "id"])
    op.drop_index(op.f("ix_tasks_project_id"), table_name="tasks")
    op.create_index(op.f("ix_projects_owner_id_id"), "projects", ["owner_id", "id"])
    op.drop_index(op.f("ix_projects_owner_id"), table_name="projects")


def downgrade() -> None:
    op.create_index(op.f("ix_projects_owner_id"), "projects", ["owner_id"])
    op.drop_index(op.f("ix_projects_owner_id_id"), table_name="projects")
    op.create_index(op.f("ix_tasks_project_id"), "tasks", ["project_id"])
    op.drop_index(op.f("ix_tasks_project_id_id"), table_name="tasks")
