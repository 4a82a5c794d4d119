"""Apply a mutation: edits to a rendered project named by meaning, not by line.

A mutation is a TOML file: its header (failure_mode, caught_by, message, optional
also_fails and options), then one [[edit]] table per change, applied in order:

    in = "Database.write"   a def or class (async too), or a name a module or class body
                            assigns (`_CONFLICTS`), found with ast among every .py file
                            under src/ (only in `file` when that is given): exactly one
                            whose qualified name (Class.method, nested names) is it, or
                            else ends with it
    file = "api/tags.py"    where to look; without `in`, the whole file is the target
    find = '''...'''        lines that occur exactly once in the target, compared with
                            surrounding whitespace stripped (blank lines match blank lines)
    replace = '''...'''     what takes their place, indented as the first line found (the
                            rest keep their indentation relative to its first line); empty
                            deletes them
    imports = [...]         lines added to the target's module, above its first import,
                            unless it has them already
    drop_imports = [...]    names whose import the edit leaves unused, taken out of the
                            target's module's imports
    create = "models/x.py"  a new file, with `text = '''...'''`; HEAD_REVISION in it stands
                            for the head of the project's migrations, which a revision it
                            creates then follows, however many there are

Paths are relative to the package directory, src/<package>/; one that starts with `tests/`
or `/` is relative to the project's root (`tests/conftest.py`, `/pyproject.toml`). Once every
edit is in, the project's ruff sorts the changed modules' imports (only: an unused import
stays an error) and formats them, so an edit need not be laid out as the formatter would.
"""

import ast
import functools
import re
import subprocess
import textwrap
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from tests.rendering import answers_of

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
Assignment = ast.Assign | ast.AnnAssign
HEAD = "HEAD_REVISION"
EDIT_KEYS = {"in", "file", "find", "replace", "imports", "drop_imports", "create", "text"}


class MutationError(AssertionError):
    """A mutation that does not apply as it reads: it names the mutation and what failed."""


def read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def apply(mutation: Path, project: Path, ruff: Sequence[str]) -> dict[Path, bytes | None]:
    """Apply the mutation's edits to the project, then let ruff sort and format what changed.
    Returns each file it touched with its content before (None: it did not exist)."""
    edits = read(mutation).get("edit", [])
    if not edits:
        raise MutationError(f"{mutation.name} has no [[edit]]")
    package = project / "src" / answers_of(project)["package_name"]
    before: dict[Path, bytes | None] = {}
    for number, edit in enumerate(edits, 1):
        where = f"{mutation.name}, edit {number}"
        if unknown := set(edit) - EDIT_KEYS:
            raise MutationError(f"{where}: unknown keys {sorted(unknown)}")
        try:
            path, lines = _edited(where, edit, project, package)
        except SyntaxError as error:  # a module an earlier edit left unparsable
            raise MutationError(f"{where}: {error.filename} does not parse: {error}") from error
        before.setdefault(path, path.read_bytes() if path.exists() else None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{line}\n" for line in lines))
    python = sorted(str(path) for path in before if path.suffix == ".py")
    for command in (["check", "--select", "I", "--fix"], ["format"]):
        result = subprocess.run(
            [*ruff, *command, "--no-cache", "--quiet", *python],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise MutationError(
                f"{mutation.name}: ruff {command[0]} on the mutated files failed:\n"
                f"{result.stdout}{result.stderr}"
            )
    return before


def _resolve(project: Path, package: Path, relative: str) -> Path:
    if relative.startswith("/"):
        return project / relative.lstrip("/")
    return project / relative if relative.startswith("tests/") else package / relative


def _edited(
    where: str, edit: dict[str, Any], project: Path, package: Path
) -> tuple[Path, list[str]]:
    """The file the edit changes and its lines once changed."""
    if "create" in edit:
        path = _resolve(project, package, edit["create"])
        if path.exists():
            raise MutationError(f"{where}: creates {edit['create']}, which exists")
        text = textwrap.dedent(edit.get("text", "")).strip("\n")
        if HEAD in text:
            text = text.replace(HEAD, _head_revision(where, package))
        return path, text.splitlines()
    if "file" in edit:
        path = _resolve(project, package, edit["file"])
        if not path.is_file():
            raise MutationError(f"{where}: no file {edit['file']}")
        candidates = [path]
    elif "in" in edit:
        candidates = sorted((project / "src").rglob("*.py"))
    else:
        raise MutationError(f"{where} names neither `in` nor `file` nor `create`")
    path, start, end = _target(where, edit.get("in"), candidates)
    lines = path.read_text().splitlines()
    if ("find" in edit) != ("replace" in edit):
        raise MutationError(f"{where}: `find` and `replace` go together")
    if "find" in edit:
        target = f"{edit['in']} ({path.relative_to(project)})" if "in" in edit else edit["file"]
        found = _find(where, target, lines[start:end], edit["find"])
        first = lines[start + found.start]
        indent = first[: len(first) - len(first.lstrip())]
        lines[start + found.start : start + found.stop] = _indented(edit["replace"], indent)
    lines = _drop_imports(where, lines, edit.get("drop_imports", []))
    return path, _add_imports(lines, edit.get("imports", []))


def _head_revision(where: str, package: Path) -> str:
    """The one revision of the package's migrations that no other revises."""
    revisions, revised = set(), set()
    for script in (package / "migrations" / "versions").glob("*.py"):
        text = script.read_text()
        revisions.update(re.findall(r'^revision: str = "([^"]+)"', text, re.MULTILINE))
        revised.update(re.findall(r'^down_revision: [^=]+= "([^"]+)"', text, re.MULTILINE))
    if len(heads := revisions - revised) != 1:
        raise MutationError(f"{where}: the migrations have {len(heads)} heads, not one: {heads}")
    return heads.pop()


@functools.cache
def _definitions_in(text: str, filename: str) -> list[tuple[str, int, int]]:
    """Each def and class in a module's text: qualified name, 0-based [start, end) lines."""
    return [
        (
            name,
            min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1,
            node.end_lineno or 0,
        )
        for name, node in _definitions(ast.parse(text, filename))
    ]


def _definitions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, Definition | Assignment]]:
    """Defs and classes at any depth; names assigned in a module's or a class's body."""
    named = isinstance(tree, ast.Module | ast.ClassDef)
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, Definition):
            name = f"{prefix}{node.name}"
            yield name, node
            yield from _definitions(node, f"{name}.")
        elif named and isinstance(node, Assignment):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    yield f"{prefix}{target.id}", node
        else:
            yield from _definitions(node, prefix)


def _target(where: str, name: str | None, files: list[Path]) -> tuple[Path, int, int]:
    """The file and the 0-based line range [start, end) of the one definition (or assignment)
    named."""
    if name is None:
        return files[0], 0, len(files[0].read_text().splitlines())
    matches, alike = [], []
    for path in files:
        for qualified, start, end in _definitions_in(path.read_text(), str(path)):
            if qualified == name or qualified.endswith(f".{name}"):
                matches.append((path, qualified, start, end))
            elif qualified.rpartition(".")[2] == name.rpartition(".")[2]:
                alike.append(f"{path.name}:{qualified}")
    # A top-level name wins over a method of that name (a Protocol's, say).
    matches = [match for match in matches if match[1] == name] or matches
    if len(matches) != 1:
        found = [f"{path.name}:{qualified}" for path, qualified, _, _ in matches] or alike
        raise MutationError(
            f"{where}: `in = {name!r}` names {len(matches)} definitions, not one; "
            f"candidates: {found or 'none'}"
        )
    path, _, start, end = matches[0]
    return path, start, end


def _find(where: str, target: str, lines: list[str], find: str) -> range:
    wanted = [line.strip() for line in find.strip("\n").splitlines()]
    if not wanted:
        raise MutationError(f"{where}: empty `find` in {target}")
    stripped = [line.strip() for line in lines]
    at = [
        i for i in range(len(stripped) - len(wanted) + 1) if stripped[i : i + len(wanted)] == wanted
    ]
    if len(at) != 1:
        raise MutationError(
            f"{where}: `find` occurs {len(at)} times in {target}, not once:\n{find}"
        )
    return range(at[0], at[0] + len(wanted))


def _indented(replace: str, indent: str) -> list[str]:
    lines = replace.strip("\n").splitlines()
    if not lines:
        return []
    first = len(lines[0]) - len(lines[0].lstrip())
    out = []
    for line in lines:
        own = len(line) - len(line.lstrip())
        shift = own - first
        if not line.strip():
            out.append("")
        elif shift >= 0:
            out.append(indent + " " * shift + line.lstrip())
        else:  # a line left of the first: dedent from the found indentation
            out.append(indent[: len(indent) + shift] + line.lstrip())
    return out


def _module_imports(lines: list[str]) -> list[ast.Import | ast.ImportFrom]:
    tree = ast.parse("\n".join(lines))
    return [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]


def _add_imports(lines: list[str], imports: list[str]) -> list[str]:
    """The lines with the imports not yet among them above the first import (or below the
    docstring, when there is none); ruff sorts them into place."""
    present = {line.strip() for line in lines}
    new = [line for line in imports if line.strip() not in present]
    if not new:
        return lines
    body = ast.parse("\n".join(lines)).body
    docstring = body[:1] if body and isinstance(body[0], ast.Expr) else []
    future = [n for n in body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    imported = [n for n in body if isinstance(n, ast.Import | ast.ImportFrom) and n not in future]
    if imported:
        at = imported[0].lineno - 1
    else:
        at = max([0, *(n.end_lineno or 0 for n in docstring + future)])
    return [*lines[:at], *new, *lines[at:]]


def _drop_imports(where: str, lines: list[str], names: list[str]) -> list[str]:
    for name in names:
        binding = [
            (node, alias)
            for node in _module_imports(lines)
            for alias in node.names
            if (alias.asname or alias.name.partition(".")[0]) == name
        ]
        if len(binding) != 1:
            raise MutationError(f"{where}: {len(binding)} imports bind {name!r}, not one")
        node, alias = binding[0]
        rest = [ast.unparse(other) for other in node.names if other is not alias]
        assert node.end_lineno is not None
        if not rest:
            statement = []
        elif isinstance(node, ast.ImportFrom):
            statement = [f"from {'.' * node.level}{node.module or ''} import {', '.join(rest)}"]
        else:
            statement = [f"import {', '.join(rest)}"]
        first = lines[node.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        lines = [
            *lines[: node.lineno - 1],
            *(indent + line for line in statement),
            *lines[node.end_lineno :],
        ]
    return lines
