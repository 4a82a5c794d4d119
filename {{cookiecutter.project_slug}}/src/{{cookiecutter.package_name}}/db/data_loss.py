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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger
from sqlalchemy.types import TypeEngine

MARK = "# loses data:"
# SQL that removes rows or columns, in op.execute().
REMOVING_SQL = re.compile(r"\b(drop\s+table|drop\s+column|truncate|delete\s+from|delete\()", re.I)
INTEGER_WIDTHS = (SmallInteger, Integer, BigInteger)  # narrowest first


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
    calls = list(_operations(upgrade))
    found = []
    for number, (table, name, call) in enumerate(calls):
        risk = _risk(table, name, call, calls[:number], calls[number + 1 :], vars(module))
        if risk is not None:
            what, instead = risk
            found.append(Finding(path, call.lineno, what, instead, _reason(lines, call.lineno)))
    return found


Operation = tuple[str, str, ast.Call]  # (table, operation's name, the call)


def _operations(upgrade: ast.FunctionDef) -> Iterator[Operation]:
    """The calls on `op` and on batch operations, in order, with the table each changes."""
    batches: dict[str, str] = {}  # batch_op name: its table
    for node in ast.walk(upgrade):
        if isinstance(node, ast.With):
            for item in node.items:
                call, name = item.context_expr, item.optional_vars
                if _called(call) == ("op", "batch_alter_table") and isinstance(name, ast.Name):
                    assert isinstance(call, ast.Call)
                    batches[name.id] = _text(_argument(call, 0, "table_name"))
    for node in sorted(
        (node for node in ast.walk(upgrade) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    ):
        match _called(node):
            case ("op", operation):
                # Most operations name the table first; drop_constraint names the constraint.
                position = 1 if operation == "drop_constraint" else 0
                table = _argument(node, position, "table_name") if operation != "execute" else None
                yield (_text(table) if table is not None else "", operation, node)
            case (receiver, operation) if receiver in batches:
                yield (batches[receiver], f"batch:{operation}", node)


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
    if operation == "drop_constraint" and _literal(_keyword(call, "type_")) == "unique":
        constraint = _text(_argument(call, 0, "constraint_name"))
        return (
            f"drops unique constraint {constraint} of {table}: rows may then repeat what it kept "
            "unique, and once they do, the revision cannot be undone",
            "keep it, or replace it in the same revision with the constraint you mean",
        )
    if operation == "drop_column":
        column = f"{table}.{_text(_argument(call, first, 'column_name'))}"
        added = [
            _column_name(_argument(other, first, "column"))
            for other_table, name, other in before + after
            if other_table == table and name.removeprefix("batch:") == "add_column"
        ]
        if added:
            old = _text(_argument(call, first, "column_name"))
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
        new = _argument(call, first, "column")
        if (
            isinstance(new, ast.Call)
            and _literal(_keyword(new, "nullable")) is False
            and _keyword(new, "server_default") is None
        ):
            return (
                f"adds {table}.{_column_name(new)} NOT NULL with no server default: the "
                "revision fails on a table with rows",
                "give it a server_default, or add it nullable, fill it, then make it NOT NULL",
            )
        return None
    if operation == "execute":
        sql = _argument(call, 0, "sqltext") or call
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
    column = f"{table}.{_text(_argument(call, first, 'column_name'))}"
    new_type, old_type = _keyword(call, "type_"), _keyword(call, "existing_type")
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
    nullable = _keyword(call, "nullable")
    backfilled = any(name == "execute" and table in ast.unparse(other) for _, name, other in before)
    if _literal(nullable) is False and _keyword(call, "server_default") is None and not backfilled:
        return (
            f"makes {column} NOT NULL with no server default and no backfill: the revision "
            "fails on a row where it is null",
            'fill the nulls first in the same revision (op.execute("UPDATE ...")), or give it '
            "a server_default",
        )
    return None


def eval_type(node: ast.expr, namespace: dict[str, Any]) -> TypeEngine[Any]:
    """A type as the revision writes it (`sa.String(length=50)`), in the revision's names."""
    value = eval(compile(ast.Expression(node), "<revision>", "eval"), dict(namespace))  # noqa: S307
    return value() if isinstance(value, type) else value  # type: ignore[no-any-return]


def narrows(old: TypeEngine[Any], new: TypeEngine[Any]) -> bool:
    """Whether some value of the old type may not fit the new one."""
    if _python_type(old) is not _python_type(new):
        return True
    old_length, new_length = getattr(old, "length", None), getattr(new, "length", None)
    if new_length is not None and (old_length is None or new_length < old_length):
        return True
    if isinstance(old, Numeric) and isinstance(new, Numeric):
        return (new.precision or 0, new.scale or 0) < (old.precision or 0, old.scale or 0)
    widths = [_width(old), _width(new)]
    return None not in widths and widths[1] < widths[0]  # type: ignore[operator]


def _width(type_: TypeEngine[Any]) -> int | None:
    matching = [n for n, kind in enumerate(INTEGER_WIDTHS) if isinstance(type_, kind)]
    return max(matching) if matching else None


def _python_type(type_: TypeEngine[Any]) -> type | None:
    try:
        return type_.python_type
    except NotImplementedError:
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


def _called(node: ast.expr) -> tuple[str, str] | None:
    """(receiver, method) of a call such as op.drop_table(...)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    ):
        return node.func.value.id, node.func.attr
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return _keyword(call, keyword)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _literal(node: ast.expr | None) -> Any:
    """The node's value when it is a literal, else None."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except ValueError:  # not a literal
        return None


def _text(node: ast.expr | None) -> str:
    """A name the revision gives, as written: its value when it is a literal."""
    value = _literal(node)
    if node is None:
        return "?"
    return value if isinstance(value, str) else ast.unparse(node)


def _column_name(column: ast.expr | None) -> str:
    """The name of `sa.Column("name", ...)`."""
    if isinstance(column, ast.Call) and column.args:
        return _text(column.args[0])
    return "?"
