"""Jinja filters that quote free-text answers (names, descriptions) for the file they land in,
so any text renders into valid TOML and Python."""

from cookiecutter.utils import simple_filter


@simple_filter
def toml_string(value: str) -> str:
    """A TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@simple_filter
def python_string(value: str) -> str:
    """A Python string literal as the formatter writes it: in double quotes, unless single
    quotes need fewer escapes."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote
