"""The operations a revision's upgrade() calls, read from its source as written: which
table each changes, and the arguments it gives."""

import ast
from collections.abc import Iterator
from typing import Any

Operation = tuple[str, str, ast.Call]  # (table, operation's name, the call)


def operations(upgrade: ast.FunctionDef) -> Iterator[Operation]:
    """The calls on `op` and on batch operations, in order, with the table each changes."""
    batches: dict[str, str] = {}  # batch_op name: its table
    for node in ast.walk(upgrade):
        if isinstance(node, ast.With):
            for item in node.items:
                call, name = item.context_expr, item.optional_vars
                if called(call) == ("op", "batch_alter_table") and isinstance(name, ast.Name):
                    assert isinstance(call, ast.Call)
                    batches[name.id] = written_name(argument(call, 0, "table_name"))
    for node in sorted(
        (node for node in ast.walk(upgrade) if isinstance(node, ast.Call)),
        key=lambda node: (node.lineno, node.col_offset),
    ):
        match called(node):
            case ("op", operation):
                # Most operations name the table first; drop_constraint names the constraint.
                position = 1 if operation == "drop_constraint" else 0
                table = argument(node, position, "table_name") if operation != "execute" else None
                yield (written_name(table) if table is not None else "", operation, node)
            case (receiver, operation) if receiver in batches:
                yield (batches[receiver], f"batch:{operation}", node)


def called(node: ast.expr) -> tuple[str, str] | None:
    """(receiver, method) of a call such as op.drop_table(...)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    ):
        return node.func.value.id, node.func.attr
    return None


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument given at `position`, or else by keyword `name`."""
    if len(call.args) > position:
        return call.args[position]
    return keyword(call, name)


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((given.value for given in call.keywords if given.arg == name), None)


def literal(node: ast.expr | None) -> Any:
    """The node's value when it is a literal, else None."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except ValueError:  # not a literal
        return None


def written_name(node: ast.expr | None) -> str:
    """A name the revision gives, as written: its value when it is a literal."""
    value = literal(node)
    if node is None:
        return "?"
    return value if isinstance(value, str) else ast.unparse(node)


def column_name(column: ast.expr | None) -> str:
    """The name of `sa.Column("name", ...)`."""
    if isinstance(column, ast.Call) and column.args:
        return written_name(column.args[0])
    return "?"
