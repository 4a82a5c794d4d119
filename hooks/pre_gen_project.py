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
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")
# The answers as given, before cookiecutter rendered them: one given on its command line or
# in a config file is rendered as Jinja (a typed one is not). Cruft does not pass them.
GIVEN = json.loads(r"""{{ _cookiecutter | default({}) | tojson }}""")

# The import and distribution names (lower case, "_" for "-" and ".") of what a generated
# project installs, in any variant, and its own tests package: a package or distribution of
# one of these names shadows it, or depends on itself. The template's tests check the list
# against the variants.
DEPENDENCY_NAMES = frozenset(
    {
        "aiosqlite", "alembic", "annotated_doc", "annotated_types", "anyio", "argon2",
        "argon2_cffi", "argon2_cffi_bindings", "ast_serialize", "certifi", "cffi", "cfgv",
        "charset_normalizer", "click", "distlib", "dotenv", "fastapi", "filelock", "google",
        "googleapis_common_protos", "graphql", "graphql_core", "greenlet", "grimp", "h11",
        "harfile", "httpcore2", "httptools", "httpx", "httpx2", "hypothesis", "hypothesis_graphql",
        "identify", "idna", "import_linter", "importlinter", "iniconfig", "jsonschema_rs", "jwt",
        "librt", "mako", "markdown_it", "markdown_it_py", "markupsafe", "mdurl", "mypy",
        "mypy_extensions", "mypyc", "nodeenv", "opentelemetry", "opentelemetry_api",
        "opentelemetry_exporter_http_transport", "opentelemetry_exporter_otlp_common",
        "opentelemetry_exporter_otlp_proto_common", "opentelemetry_exporter_otlp_proto_http",
        "opentelemetry_proto", "opentelemetry_sdk", "opentelemetry_semantic_conventions",
        "packaging", "pathspec", "platformdirs", "pluggy", "pre_commit", "pre_commit_hooks",
        "prometheus_client", "protobuf", "psycopg", "psycopg_binary", "py", "pycparser",
        "pydantic", "pydantic_core", "pydantic_settings", "pygments", "pyjwt", "pyrate_limiter",
        "pytest", "python_discovery", "python_dotenv", "pyyaml", "requests", "rich", "ruamel",
        "ruamel_yaml", "ruff", "schemathesis", "sortedcontainers", "sqlalchemy", "starlette",
        "tests", "truststore", "typing_extensions", "typing_inspection", "urllib3", "uvicorn",
        "uvloop", "virtualenv", "watchfiles", "websockets", "werkzeug", "yaml",
    }
)  # fmt: skip
SLUG = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
# No space, quote, backslash or control character: it lands in TOML strings.
ADDRESS_PART = r'[^@\s"\\\x00-\x1f\x7f]+'
EMAIL = re.compile(rf"{ADDRESS_PART}@{ADDRESS_PART}\.{ADDRESS_PART}")
# Longer, and an import of the package no longer fits on a line of the project
# (cookiecutter.json cuts a slug it derives here too).
LONGEST_NAME = 40
FREE_TEXT = ("project_name", "description", "author_name")
JINJA = re.compile(r"\{[#%{]")  # what opens Jinja markup


def package_problem(name: str) -> str | None:
    if not name.isidentifier() or not name.isascii():
        return "is not a valid Python identifier (letters, digits, underscores; no leading digit)"
    if name != name.lower():
        return "must be lower case"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return "is a Python keyword"
    if name in sys.stdlib_module_names or name == "test":  # test: the stdlib's own test suite
        return f"shadows the standard-library module {name!r}"
    if name in DEPENDENCY_NAMES:
        return f"shadows {name!r}, which the generated project uses"
    if len(name) > LONGEST_NAME:
        return f"is longer than {LONGEST_NAME} characters"
    return None


def problems(answers: dict[str, str], given: dict[str, str]) -> list[str]:
    found = []
    for key in FREE_TEXT:
        value = answers[key]
        if JINJA.search(str(given.get(key, ""))):
            found.append(
                f"{key} {given[key]!r} holds Jinja markup, which cookiecutter runs in an answer "
                f"given with --no-input or a config file (it made {value!r}); write it without"
            )
        elif not value.strip():
            found.append(f"{key} is empty; give a short text")
        elif any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value):
            found.append(f"{key} {value!r} contains a line break or control character; remove it")
    slug, package = answers["project_slug"], answers["package_name"]
    found += slug_problems(slug, answers["project_name"])
    if slug != "-" and (reason := package_problem(package)):  # "-": said once, above
        found.append(f"package_name {package!r} {reason}; choose another, e.g. 'my_service'")
    email = answers["author_email"]
    if not EMAIL.fullmatch(email):
        found.append(f"author_email {email!r} is not an e-mail address, e.g. 'you@example.com'")
    return found


def slug_problems(slug: str, project_name: str) -> list[str]:
    if slug == "-":  # cookiecutter.json's stand-in for a name that gives no slug
        return [
            f"project_name {project_name!r} has no letter or digit to make project_slug of; "
            "answer project_slug too, e.g. 'my-service'"
        ]
    if not SLUG.fullmatch(slug):
        return [
            f"project_slug {slug!r} is not a valid distribution name; use lower-case letters, "
            "digits and single '-', '_' or '.' between them, e.g. 'my-service'"
        ]
    if len(slug) > LONGEST_NAME:
        return [f"project_slug {slug!r} is longer than {LONGEST_NAME} characters; shorten it"]
    if (name := re.sub(r"[-_.]+", "_", slug)) in DEPENDENCY_NAMES:
        return [f"project_slug {slug!r} is the name of {name!r}, which the project uses"]
    return []


def place_problems(project: Path) -> list[str]:
    """A project rendered inside a template's folder (this one's clone, say) would be checked,
    linted and committed with the template's files, and theirs with it."""
    for folder in project.resolve().parents:
        if (folder / "cookiecutter.json").is_file():
            return [
                f"the project would land inside the template's folder {folder}; "
                "render it elsewhere, e.g. with --output-dir .."
            ]
    return []


if __name__ == "__main__":
    errors = problems(ANSWERS, GIVEN) + place_problems(Path.cwd())
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)
