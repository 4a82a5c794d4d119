"""Reject bad answers before cookiecutter writes anything the user has to clean up.

Choice answers (python_version, database, license) need no check here: cookiecutter refuses
a value outside a choice list before it renders anything.

Cookiecutter runs this hook inside the new project directory and removes that directory
when the hook exits non-zero, so a rejected render leaves nothing behind.
"""

import json
import keyword
import re
import sys
import unicodedata

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

# Import names a generated project cannot take without shadowing what it imports.
DEPENDENCY_MODULES = frozenset(
    {
        "alembic", "anyio", "fastapi", "grimp", "httpx", "httpx2", "hypothesis",
        "importlinter", "mypy", "pydantic", "pydantic_settings", "pytest", "ruff",
        "schemathesis", "sqlalchemy", "starlette", "tests", "uvicorn",
    }
)  # fmt: skip
SLUG = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
EMAIL = re.compile(r"[^@\s\"\\]+@[^@\s\"\\]+\.[^@\s\"\\]+")
FREE_TEXT = ("project_name", "description", "author_name")


def package_problem(name: str) -> str | None:
    if not name.isidentifier() or not name.isascii():
        return "is not a valid Python identifier (letters, digits, underscores; no leading digit)"
    if name != name.lower():
        return "must be lower case"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return "is a Python keyword"
    if name in sys.stdlib_module_names or name == "test":  # test: the stdlib's own test suite
        return f"shadows the standard-library module {name!r}"
    if name in DEPENDENCY_MODULES:
        return f"shadows {name!r}, which the generated project imports"
    return None


def problems(answers: dict[str, str]) -> list[str]:
    found = []
    for key in FREE_TEXT:
        value = answers[key]
        if not value.strip():
            found.append(f"{key} is empty; give a short text")
        elif any(unicodedata.category(c) == "Cc" for c in value):
            found.append(f"{key} {value!r} contains a line break or control character; remove it")
    slug = answers["project_slug"]
    if not SLUG.fullmatch(slug):
        found.append(
            f"project_slug {slug!r} is not a valid distribution name; use lower-case letters, "
            "digits and single '-', '_' or '.' between them, e.g. 'my-service'"
        )
    package = answers["package_name"]
    if reason := package_problem(package):
        found.append(f"package_name {package!r} {reason}; choose another, e.g. 'my_service'")
    email = answers["author_email"]
    if not EMAIL.fullmatch(email):
        found.append(f"author_email {email!r} is not an e-mail address, e.g. 'you@example.com'")
    return found


if __name__ == "__main__":
    errors = problems(ANSWERS)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)
