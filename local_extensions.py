"""Jinja filters that quote free-text answers (names, descriptions) for the file they land in,
so any text renders into valid TOML and Python that the project's own ruff leaves as it is."""

import unicodedata
from collections.abc import Callable

from cookiecutter.utils import simple_filter

# The generated projects' line length (their ruff's).
LINE_LENGTH = 100
INDENT = 4


@simple_filter
def toml_string(value: str) -> str:
    """A TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@simple_filter
def python_string(value: str, room: int = LINE_LENGTH) -> str:
    """A Python string literal as ruff writes it, for a line with `room` columns left: one
    literal if it fits, else literals of a line each in parentheses (each in double quotes,
    unless single quotes need fewer escapes, as ruff chooses per literal)."""
    if len(_literal(value)) <= room:
        return _literal(value)
    parts = _parts(value, lambda part: len(_literal(part)) <= LINE_LENGTH - INDENT)
    return "(\n" + "".join(f"{' ' * INDENT}{_literal(part)}\n" for part in parts) + ")"


@simple_filter
def python_docstring(value: str) -> str:
    """A docstring of the text, its words wrapped at the line length (runs of spaces as
    one: a docstring is a paragraph, not data)."""
    lines: list[str] = []
    for word in value.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and len(_docstring_text(joined)) <= LINE_LENGTH - 3:  # 3: the quotes
            lines[-1] = joined
        else:
            lines.append(word)  # a word longer than a line has one of its own
    text = "\n".join(map(_docstring_text, lines))
    return f'"""{text}"""'


def _literal(text: str) -> str:
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escaped(text).replace(quote, "\\" + quote) + quote


def _docstring_text(text: str) -> str:
    """The text as it may stand between triple quotes: no three quotes in a row, none last."""
    escaped = _escaped(text)
    return "".join(
        '\\"' if char == '"' and escaped[i + 1 : i + 2] in ('"', "") else char
        for i, char in enumerate(escaped)
    )


def _parts(value: str, fits: Callable[[str], bool]) -> list[str]:
    """The value cut into parts that fit (after a space where there is one), each at least
    one character long."""
    parts = []
    rest = value
    while not fits(rest):
        end = min(len(rest), LINE_LENGTH)
        while end > 1 and not fits(rest[:end]):
            end -= 1
        cut = rest.rfind(" ", 0, end) + 1 or end
        parts.append(rest[:cut])
        rest = rest[cut:]
    return [*parts, rest]


def _escaped(text: str) -> str:
    """The text as a literal's body: backslashes doubled, look-alikes escaped."""
    return "".join(map(_in_source, text.replace("\\", "\\\\")))


def _in_source(char: str) -> str:
    """A character as Python source writes it: escaped if it is punctuation, a space or a
    format character outside ASCII (an en dash, a curly quote, a no-break space, a zero-width
    space), which reads as an ASCII one or as nothing and which linters flag (ruff's RUF001),
    by name in the Basic Multilingual Plane, whose names every supported Python knows. As it
    is otherwise: letters, digits, marks, and symbols other than modifiers and those of
    mathematics and currency (a circumflex, a minus sign), which linters flag too."""
    category = unicodedata.category(char)
    if char.isascii() or (category[0] in "LMN" and category != "Lm") or category == "So":
        return char
    name = unicodedata.name(char, "") if ord(char) <= 0xFFFF else ""
    return f"\\N{{{name}}}" if name else f"\\U{ord(char):08x}"
