"""The guard suite proves itself: each failure mode, introduced on purpose, is caught.

Each file in tests/mutations/ is a patch against a rendered project that brings back one
failure mode; its header names the guard that must catch it and a part of that guard's
message. The patch is applied to a copy of the variant's project and the project's own
suite runs on the copy; the terminal summary lists what caught each mode.
"""

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.rendering import ROOT, environment, run
from tests.variants import Variant

MUTATIONS = Path(__file__).parent / "mutations"
GENERATED_TESTS = ROOT / "{{cookiecutter.project_slug}}" / "tests"
# The full variants each folder's patches run on.
VARIANTS_OF_FOLDER = {
    "all": ["sqlite", "postgresql-docker"],
    "sqlite": ["sqlite"],
    "postgresql": ["postgresql-docker"],
}
PASSES = "nothing"  # a patch the suite must accept


@dataclass(frozen=True)
class Mutation:
    path: Path
    mode: str
    guard: str
    message: str

    @classmethod
    def read(cls, path: Path) -> "Mutation":
        header = path.read_text().split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
        return cls(path, fields["Failure mode"], fields["Caught by"], fields.get("Message", ""))


def cases() -> list[Any]:
    return [
        pytest.param(
            variant,
            Mutation.read(path),
            id=f"{variant}/{path.stem}",
            marks=pytest.mark.xdist_group(variant),
        )
        for folder, variants in VARIANTS_OF_FOLDER.items()
        for path in sorted((MUTATIONS / folder).glob("*.diff"))
        for variant in variants
    ]


def patched_copy(variant: Variant, mutation: Mutation, directory: Path) -> Path:
    """A copy of the variant's project with the patch applied, proven to have changed it."""
    copy = directory / variant.slug
    ignored = shutil.ignore_patterns(".venv", ".git", "data", "*cache*", "__pycache__")
    shutil.copytree(variant.project, copy, ignore=ignored)
    # Its own repository: inside another work tree, git apply may apply nothing and exit 0.
    run(["git", "init", "-q"], copy)
    targets = re.findall(r"^\+\+\+ b/(\S+)$", mutation.path.read_text(), re.MULTILINE)
    before = {target: read(copy / target) for target in targets}
    run(["git", "apply", str(mutation.path)], copy)
    unchanged = [target for target in targets if read(copy / target) == before[target]]
    assert targets, f"{mutation.path.name} names no file to patch"
    assert not unchanged, f"{mutation.path.name} changed nothing in {unchanged}"
    return copy


def read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def run_suite(variant: Variant, copy: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The project's suite on the copy, with the copy's src/ first on the import path."""
    env = environment(**variant.env, PYTHONPATH=str(copy / "src"))
    package = json.loads((copy / ".cookiecutter.json").read_text())["package_name"]
    where = f"import {package}; print({package}.__file__)"
    imported = run([variant.bin("python"), "-c", where], copy, **env).strip()
    assert Path(imported).is_relative_to(copy), f"the suite would test {imported}, not the copy"
    report = copy / "report.xml"
    pytest_options = ["-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
    result = subprocess.run(
        [variant.bin("python"), "-m", "pytest", *pytest_options],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, report


def failure_of(report: Path, guard: str) -> str | None:
    """What the named test's assertion said, if it failed (not errored, not skipped)."""
    module, _, name = guard.partition("::")
    if not report.exists():  # pytest stopped before it ran a test
        return None
    for case in ElementTree.parse(report).iter("testcase"):
        named = case.get("name") == name or case.get("name", "").startswith(f"{name}[")
        in_module = case.get("classname", "").rpartition(".")[2] == module.removesuffix(".py")
        if named and in_module and (failure := case.find("failure")) is not None:
            return failure.get("message", "")
    return None


@pytest.mark.mutation
@pytest.mark.parametrize(("variant_name", "mutation"), cases())
def test_guard_catches_the_failure_mode(
    variant_name: str,
    mutation: Mutation,
    prepared: Callable[[str], Variant],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    assert mutation.message or mutation.guard == PASSES, f"{mutation.path.name} has no Message"
    # Recorded first, so the table lists a case that skips (no PostgreSQL server) too.
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, ""))
    variant = prepared(variant_name)
    result, report = run_suite(variant, patched_copy(variant, mutation, tmp_path))
    output = result.stdout + result.stderr
    if mutation.guard == PASSES:
        assert result.returncode == 0, f"{mutation.path.name} must pass, but:\n{output[-3000:]}"
        return
    said = failure_of(report, mutation.guard)
    failed = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    assert said is not None, (
        f"{mutation.guard} did not fail on {mutation.path.name} ({mutation.mode}); "
        f"the suite said:\n" + "\n".join(failed or [output[-3000:]])
    )
    assert mutation.message in said, (
        f"{mutation.guard} failed on {mutation.path.name} without saying "
        f"{mutation.message!r}:\n{said[:2000]}"
    )
    first_line = next(line for line in said.splitlines() if mutation.message in line)
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, first_line))


def guard_tests() -> set[str]:
    """Every test in the generated suite's guard modules, as module::name (read as text: the
    modules are templates)."""
    return {
        f"{path.name}::{name}"
        for path in GENERATED_TESTS.glob("test_guard_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE)
    }


def test_every_guard_has_a_mutation() -> None:
    caught_by = {Mutation.read(path).guard for path in MUTATIONS.glob("*/*.diff")}
    unproven = sorted(guard_tests() - caught_by)
    assert not unproven, (
        f"guards no mutation in tests/mutations/ proves: {unproven}. Add a patch that brings "
        "back the failure mode each one guards against"
    )
