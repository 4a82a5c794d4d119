"""Whether a column's new type holds every value of its old one."""

import ast
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, SmallInteger
from sqlalchemy.types import TypeEngine

INTEGER_WIDTHS = (SmallInteger, Integer, BigInteger)  # narrowest first


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
