"""What in a revision can lose data: each operation of its upgrade() that drops rows or
values, narrows a column, drops a uniqueness the data keeps, or fails on a table with rows,
unless a comment right above it says why that is fine:

    # loses data: the column was never written to (see #123)
    op.drop_column("tasks", "legacy")

Read from the revision's source, so hand-written revisions are held to it too; downgrades are
not (undoing a revision drops what it added).
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .narrowing import eval_type, narrows
from .revision_calls import (
    Operation,
    argument,
    column_name,
    keyword,
    literal,
    operations,
    written_name,
)

MARK = "# loses data:"
# SQL that removes rows or columns, in op.execute().
REMOVING_SQL = re.compile(r"\b(drop\s+table|drop\s+column|truncate|delete\s+from|delete\()", re.I)


@dataclass(frozen=True)
class Finding:
    """An operation that can lose data, where it is, and what to write instead."""

    path: Path
    line: int
    what: str
    instead: str
    reason: str | None  # its marker's; None: not marked

    def __str__(self) -> str:
        where = f"{self.path.name}:{self.line}"
        if self.reason is None:
            return (
                f"{where}: {self.what}. Instead, {self.instead}. If that is what you mean, say why "
                f'on the line above it: "{MARK} <why>"'
            )
        return f'{where}: {self.what}; it is marked "{MARK}" with no reason: say why'


def unaccounted(path: Path, module: ModuleType) -> list[Finding]:
    """The operations of a revision's upgrade() that can lose data and no marker explains."""
    return [finding for finding in findings(path, module) if not finding.reason]


def findings(path: Path, module: ModuleType) -> list[Finding]:
    """Every operation of a revision's upgrade() that can lose data, marked or not."""
    source = path.read_text()
    upgrade = next(
        (
            node
            for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and node.name == "upgrade"
        ),
        None,
    )
    if upgrade is None:
        return []
    lines = source.splitlines()
    calls = list(operations(upgrade))
    found = []
    for number, (table, name, call) in enumerate(calls):
        risk = _risk(table, name, call, calls[:number], calls[number + 1 :], vars(module))
        if risk is not None:
            what, instead = risk
            found.append(Finding(path, call.lineno, what, instead, _reason(lines, call.lineno)))
    return found


def _risk(
    table: str,
    operation: str,
    call: ast.Call,
    before: list[Operation],
    after: list[Operation],
    namespace: dict[str, Any],
) -> tuple[str, str] | None:
    """What the operation can lose and what to write instead; None when it loses nothing."""
    batch = operation.startswith("batch:")
    operation = operation.removeprefix("batch:")
    first = 0 if batch else 1  # a batch operation's arguments leave out the table
    if operation == "drop_table":
        return (
            f"drops table {table} with every row in it",
            "stop using the table in one release and drop it in a later one, once its rows "
            "are backed up or no longer wanted",
        )
    if operation == "drop_constraint" and literal(keyword(call, "type_")) == "unique":
        constraint = written_name(argument(call, 0, "constraint_name"))
        return (
            f"drops unique constraint {constraint} of {table}: rows may then repeat what it kept "
            "unique, and once they do, the revision cannot be undone",
            "keep it, or replace it in the same revision with the constraint you mean",
        )
    if operation == "drop_column":
        column = f"{table}.{written_name(argument(call, first, 'column_name'))}"
        added = [
            column_name(argument(other, first, "column"))
            for other_table, name, other in before + after
            if other_table == table and name.removeprefix("batch:") == "add_column"
        ]
        if added:
            old = written_name(argument(call, first, "column_name"))
            rename = (
                f'batch_op.alter_column("{old}", new_column_name="{added[0]}")'
                if batch
                else f'op.alter_column("{table}", "{old}", new_column_name="{added[0]}")'
            )
            return (
                f"drops column {column} and adds {table}.{added[0]}: a rename written this way "
                "loses every value of the column",
                f"write the rename as {rename}, which keeps them",
            )
        return (
            f"drops column {column} with every value in it",
            "stop using the column in one release and drop it in a later one, once its values "
            "are backed up or no longer wanted",
        )
    if operation == "alter_column":
        return _altered(table, call, first, before, namespace)
    if operation == "add_column":
        new = argument(call, first, "column")
        if (
            isinstance(new, ast.Call)
            and literal(keyword(new, "nullable")) is False
            and keyword(new, "server_default") is None
        ):
            return (
                f"adds {table}.{column_name(new)} NOT NULL with no server default: the "
                "revision fails on a table with rows",
                "give it a server_default, or add it nullable, fill it, then make it NOT NULL",
            )
        return None
    if operation == "execute":
        sql = argument(call, 0, "sqltext") or call
        text = str(sql.value) if isinstance(sql, ast.Constant) else ast.unparse(sql)
        if REMOVING_SQL.search(text):
            return (
                f"runs {' '.join(text.split())[:60]!r}, which removes rows or columns",
                "keep what it removes until a later release, or back it up first",
            )
    return None


def _altered(
    table: str, call: ast.Call, first: int, before: list[Operation], namespace: dict[str, Any]
) -> tuple[str, str] | None:
    column = f"{table}.{written_name(argument(call, first, 'column_name'))}"
    new_type, old_type = keyword(call, "type_"), keyword(call, "existing_type")
    if new_type is not None:
        if old_type is None:
            return (
                f"changes the type of {column} without existing_type, so whether every value "
                "fits cannot be told",
                "give the old type as existing_type=",
            )
        old, new = eval_type(old_type, namespace), eval_type(new_type, namespace)
        if narrows(old, new):
            return (
                f"changes {column} from {old} to {new}: values that do not fit are cut, or the "
                "revision fails",
                "add a column of the new type, copy the values that fit, and switch to it in a "
                "later release",
            )
    nullable = keyword(call, "nullable")
    backfilled = any(name == "execute" and table in ast.unparse(other) for _, name, other in before)
    if literal(nullable) is False and keyword(call, "server_default") is None and not backfilled:
        return (
            f"makes {column} NOT NULL with no server default and no backfill: the revision "
            "fails on a row where it is null",
            'fill the nulls first in the same revision (op.execute("UPDATE ...")), or give it '
            "a server_default",
        )
    return None


def _reason(lines: list[str], line: int) -> str | None:
    """The reason given by the marker in the comments right above line `line` (1-based)."""
    above = line - 2
    while above >= 0 and lines[above].strip().startswith("#"):
        comment = lines[above].strip()
        if comment.startswith(MARK):
            return comment.removeprefix(MARK).strip()
        above -= 1
    return None
