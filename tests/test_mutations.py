"""The guard suite proves itself: each failure mode, introduced on purpose, is caught.

Each file in tests/mutations/ is a patch against a rendered project that brings back one
failure mode; its header names the guard that must catch it, a part of that guard's
message, and the other tests (module::name) or test modules the mode may fail too ("Also
fails"): a patch that fails tests it does not name proves nothing about its guard. The patch
is applied to a copy of the variant's project and the project's own suite runs on the copy;
the terminal summary lists what caught each mode.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import ROOT, run
from tests.suite import FUZZER, failures, project_copy, run_suite
from tests.variants import Variant

MUTATIONS = Path(__file__).parent / "mutations"
GENERATED_TESTS = ROOT / "{{cookiecutter.project_slug}}" / "tests"
# The full variants the table runs on, by database and session style. A patch in
# mutations/<database>/ runs on that database's variants ("all": both databases); one in
# mutations/<database>/<style>/ changes code only that session style runs (its unit of work
# and services, the dialect's no-wait begin) and runs on that style's variants.
VARIANT_KINDS = {
    "sqlite": ("sqlite", "sync"),
    "postgresql-docker": ("postgresql", "sync"),
    "sqlite-async": ("sqlite", "async"),
    "postgresql-async": ("postgresql", "async"),
}
# The table in full is four suites per shared patch: too long for one 2-core machine. There,
# the shared patches run on the sync variants and the async variants take their own patches;
# MUTATION_TABLE=full (the template's CI, one job per variant) runs every patch everywhere.
FULL_TABLE = os.environ.get("MUTATION_TABLE") == "full"
PASSES = "nothing"  # a patch the suite must accept


@dataclass(frozen=True)
class Mutation:
    path: Path
    mode: str
    guard: str
    message: str
    also: frozenset[str]  # other tests (module::name) or modules the mode may fail

    @classmethod
    def read(cls, path: Path) -> "Mutation":
        header = path.read_text().split("\n\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
        also = frozenset(fields.get("Also fails", "").split())
        guard = fields["Caught by"]
        return cls(path, fields["Failure mode"], guard, fields.get("Message", ""), also)

    def may_fail(self, test: str) -> bool:
        return test == self.guard or test in self.also or test.partition("::")[0] in self.also

    @property
    def fuzzed(self) -> bool:
        named = {self.guard, *self.also}
        return self.guard == PASSES or any(name.startswith(FUZZER) for name in named)


def variants_of(path: Path, full: bool = FULL_TABLE) -> list[str]:
    database, *style = path.parent.relative_to(MUTATIONS).parts
    return [
        name
        for name, (kind, session_style) in VARIANT_KINDS.items()
        if database in ("all", kind)
        and (style == [session_style] or (not style and (full or session_style == "sync")))
    ]


def cases() -> list[Any]:
    # Not grouped by variant: xdist spreads the cases over its workers, each of which
    # prepares the variants it meets once; grouped, one worker ran every PostgreSQL case.
    return [
        pytest.param(variant, Mutation.read(path), id=f"{variant}/{path.stem}")
        for path in sorted(MUTATIONS.rglob("*.diff"))
        for variant in variants_of(path)
    ]


def patched_copy(variant: Variant, mutation: Mutation, directory: Path) -> Path:
    """A copy of the variant's project with the patch applied, proven to have changed it."""
    copy = project_copy(variant, directory)
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
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, "", ""))
    variant = prepared(variant_name)
    result, report = run_suite(variant, patched_copy(variant, mutation, tmp_path), mutation.fuzzed)
    output = result.stdout + result.stderr
    if mutation.guard == PASSES:
        assert result.returncode == 0, f"{mutation.path.name} must pass, but:\n{output[-3000:]}"
        return
    failed = failures(report)
    said = failed.get(mutation.guard)
    assert said is not None, (
        f"{mutation.guard} did not fail on {mutation.path.name} ({mutation.mode}); "
        f"what failed: {sorted(failed)}\n{output[-3000:]}"
    )
    assert mutation.message in said, (
        f"{mutation.guard} failed on {mutation.path.name} without saying "
        f"{mutation.message!r}:\n{said[:2000]}"
    )
    unnamed = sorted(test for test in failed if not mutation.may_fail(test))
    assert not unnamed, (
        f"{mutation.path.name} also failed {unnamed}, which its header does not name: narrow "
        "the patch to its failure mode, or name them in 'Also fails'"
    )
    first_line = next(line for line in said.splitlines() if mutation.message in line)
    also = ", ".join(sorted(mutation.also))
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, first_line, also))


def suite_tests(pattern: str) -> set[str]:
    """The tests in the generated suite's modules that match pattern, as module::name (read
    as text: the modules are templates)."""
    return {
        f"{path.name}::{name}"
        for path in GENERATED_TESTS.glob(pattern)
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE)
    }


def test_every_mutation_names_tests_that_exist() -> None:
    modules = {path.name for path in GENERATED_TESTS.glob("test_*.py")}
    known = suite_tests("test_*.py") | modules | {PASSES}
    mutations = [Mutation.read(path) for path in MUTATIONS.rglob("*.diff")]
    # By path: the sync and async versions of a patch share a file name.
    named = {
        str(mutation.path.relative_to(MUTATIONS)): {mutation.guard, *mutation.also} - known
        for mutation in mutations
    }
    unknown = {name: sorted(tests) for name, tests in named.items() if tests}
    assert not unknown, f"mutation headers name tests that do not exist: {unknown}"


def test_every_mutation_runs_on_some_variant() -> None:
    idle = [str(path.relative_to(MUTATIONS)) for path in MUTATIONS.rglob("*.diff")]
    idle = [path for path in idle if not variants_of(MUTATIONS / path, full=True)]
    assert not idle, (
        f"patches in folders no variant takes: {idle}. Put each in mutations/<database>/ or "
        "mutations/<database>/<style>/ (database: all, sqlite, postgresql; style: sync, async)"
    )


def test_every_guard_has_a_mutation() -> None:
    caught_by = {Mutation.read(path).guard for path in MUTATIONS.rglob("*.diff")}
    unproven = sorted(suite_tests("test_guard_*.py") - caught_by)
    assert not unproven, (
        f"guards no mutation in tests/mutations/ proves: {unproven}. Add a patch that brings "
        "back the failure mode each one guards against"
    )
