"""Jinja filters that quote free-text answers (names, descriptions) for the file they land in,
so any text renders into valid TOML and Python."""

import re
import unicodedata
from collections.abc import Callable

from cookiecutter.utils import simple_filter

# What a literal may take of a line: the projects' line length, less what comes before it.
LINE = 80


@simple_filter
def toml_string(value: str) -> str:
    """A TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@simple_filter
def python_string(value: str) -> str:
    """A Python string literal as the formatter writes it: in double quotes, unless single
    quotes need fewer escapes; a long one as literals of a line each, in parentheses."""
    quote = "'" if value.count('"') > value.count("'") else '"'

    def literal(text: str) -> str:
        return quote + _escaped(text, quote) + quote

    lines = _lines(value, lambda line: len(literal(line)) <= LINE)
    if len(lines) == 1:
        return literal(value)
    return "(\n" + "".join(f"    {literal(line)}\n" for line in lines) + ")"


@simple_filter
def python_docstring(value: str) -> str:
    """A docstring of the text, wrapped at the line length: a newline for the space at
    each cut."""

    def escaped(text: str) -> str:
        text = "".join(map(_in_source, text.replace("\\", "\\\\")))
        return re.sub(r'"(?="|$)', r'\\"', text)  # no three quotes in a row, none at the end

    lines = _lines(value, lambda line: len(escaped(line)) <= LINE + 10)
    *cut, last = lines
    text = "\n".join([*(escaped(line.removesuffix(" ")) for line in cut), escaped(last)])
    return f'"""{text}"""'


def _lines(value: str, fits: Callable[[str], bool]) -> list[str]:
    """The value cut into lines that fit, after a space where there is one."""
    lines = []
    rest = value
    while not fits(rest):
        end = len(rest)
        while not fits(rest[:end]):
            end -= 1
        cut = rest.rfind(" ", 0, end) + 1 or end
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest]


def _escaped(text: str, quote: str) -> str:
    text = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return "".join(map(_in_source, text))


def _in_source(char: str) -> str:
    """A character as Python source writes it: by name if it is punctuation, a space or a
    symbol outside ASCII (an en dash, a curly quote, a no-break space), which reads as an
    ASCII one and which linters flag (ruff's RUF001); as it is otherwise."""
    if char.isascii() or unicodedata.category(char)[0] in "LMN":
        return char
    name = unicodedata.name(char, "")
    return f"\\N{{{name}}}" if name else f"\\U{ord(char):08x}"
