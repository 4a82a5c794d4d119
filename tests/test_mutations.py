"""The guard suite proves itself: each failure mode, introduced on purpose, is caught.

Each file in tests/mutations/ is a mutation (its format: tests/mutating.py) that brings back
one failure mode in a rendered project, with edits that name the code they change by meaning
(a def or class, the lines in it), not by line number; its header names the guard that must
catch it (caught_by), a part of that guard's message, and the other tests (module::name) or
test modules the mode may fail too (also_fails): a mutation that fails tests it does not name
proves nothing about its guard. The mutation is applied to a copy of the variant's project and
the project's own suite runs on the copy; the terminal summary lists what caught each mode.
A mutation of code that only some answers render (`options = {observability = "..."}` in
its header) runs on the variants with those answers.
"""

import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import mutating
from tests.rendering import ROOT, render
from tests.suite import FUZZER, failures, project_copy, run_suite
from tests.variants import FULL_VARIANTS, Variant

MUTATIONS = Path(__file__).parent / "mutations"
GENERATED_TESTS = ROOT / "{{cookiecutter.project_slug}}" / "tests"
# The full variants the table runs on, by database and session style. A mutation in
# mutations/<database>/ runs on that database's variants ("all": both databases); one in
# mutations/<database>/<style>/ changes code only that session style runs (its unit of work
# and services, the dialect's no-wait begin) and runs on that style's variants.
VARIANT_KINDS = {
    "sqlite": ("sqlite", "sync"),
    "postgresql-docker": ("postgresql", "sync"),
    "sqlite-async": ("sqlite", "async"),
    "postgresql-async": ("postgresql", "async"),
    "sqlite-auth": ("sqlite", "sync"),
}
# The table in full is four whole suites per shared mutation: too long for one 2-core machine.
# There, the shared mutations run on the sync variants and the async variants take their own,
# and each runs only the test modules its header names (a seventh of a suite's time);
# MUTATION_TABLE=full (the template's CI, one job per variant) runs every mutation everywhere,
# each with the whole suite, so no test its header does not name fails.
FULL_TABLE = os.environ.get("MUTATION_TABLE") == "full"
PASSES = "nothing"  # a mutation the suite must accept


@dataclass(frozen=True)
class Mutation:
    path: Path
    mode: str
    guard: str
    message: str
    also: frozenset[str]  # other tests (module::name) or modules the mode may fail

    @classmethod
    def read(cls, path: Path) -> "Mutation":
        fields = mutating.read(path)
        also = frozenset(fields.get("also_fails", []))
        guard = fields["caught_by"]
        return cls(path, fields["failure_mode"], guard, fields.get("message", ""), also)

    def may_fail(self, test: str) -> bool:
        return test == self.guard or test in self.also or test.partition("::")[0] in self.also

    @property
    def modules(self) -> tuple[str, ...]:
        """The test modules the mutation must run: all of them in the full table and for a
        mutation the suite must accept; else those its header names."""
        if FULL_TABLE or self.guard == PASSES:
            return ()
        return tuple(sorted({name.partition("::")[0] for name in (self.guard, *self.also)}))

    @property
    def fuzzed(self) -> bool:
        named = {self.guard, *self.also}
        return self.guard == PASSES or any(name.startswith(FUZZER) for name in named)


def variants_of(path: Path, full: bool = FULL_TABLE) -> list[str]:
    database, *style = path.parent.relative_to(MUTATIONS).parts
    options = mutating.read(path).get("options", {})  # the answers the code it edits needs
    kinds = [
        name
        for name, (kind, session_style) in VARIANT_KINDS.items()
        if database in ("all", kind)
        and (style == [session_style] or (not style and (full or session_style == "sync")))
        and all(answer(name, option) == value for option, value in options.items())
    ]
    if full:
        return kinds
    # Outside the full table, on one variant of each kind: the first, that of the options it
    # names (sqlite-auth is another sync SQLite variant, for the auth option's mutations).
    first: dict[tuple[str, str], str] = {}
    for name in kinds:
        first.setdefault(VARIANT_KINDS[name], name)
    kinds = list(first.values())
    if database != "all":
        return kinds
    # A mutation of code both databases run runs on one of them (the one its number's parity
    # picks), so each database's suite meets half of them.
    return [kinds[int(path.stem.partition("-")[0]) % len(kinds)]]


def answer(variant_name: str, option: str) -> str:
    """The variant's answer to the option: its own, or the template's default."""
    defaults = json.loads((ROOT / "cookiecutter.json").read_text())
    return FULL_VARIANTS[variant_name].get(option, defaults[option][0])


def cases() -> list[Any]:
    # Not grouped by variant: xdist spreads the cases over its workers, each of which
    # prepares the variants it meets once; grouped, one worker ran every PostgreSQL case.
    return [
        pytest.param(variant, Mutation.read(path), id=f"{variant}/{path.stem}")
        for path in all_mutations()
        for variant in variants_of(path)
    ]


def all_mutations() -> list[Path]:
    return sorted(MUTATIONS.rglob("*.toml"))


def mutate(mutation: Path, project: Path, ruff: list[str]) -> None:
    """Apply the mutation to the project, proven to have changed each file it touched."""
    before = mutating.apply(mutation, project, ruff)
    unchanged = [
        str(path.relative_to(project))
        for path, content in before.items()
        if (path.read_bytes() if path.exists() else None) == content
    ]
    assert not unchanged, f"{mutation.name} changed nothing in {unchanged}"


def mutated_copy(variant: Variant, mutation: Mutation, directory: Path) -> Path:
    """A copy of the variant's project with the mutation applied by the project's own ruff."""
    copy = project_copy(variant, directory)
    mutate(mutation.path, copy, [variant.bin("ruff")])
    return copy


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
    result, report = run_suite(
        variant, mutated_copy(variant, mutation, tmp_path), mutation.fuzzed, mutation.modules
    )
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
        "the mutation to its failure mode, or name them in also_fails"
    )
    first_line = next(line for line in said.splitlines() if mutation.message in line)
    also = ", ".join(sorted(mutation.also))
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, first_line, also))


def suite_tests(pattern: str) -> set[str]:
    """The tests in the generated suite's modules that match pattern, as module::name (read
    as text: the modules are templates)."""
    return {
        f"{rendered_name(path)}::{name}"
        for path in GENERATED_TESTS.glob(pattern)
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE)
    }


def rendered_name(path: Path) -> str:
    """A test module's name in a render: one with a version per session style (the
    post-generation hook's VERSIONS) takes the plain name."""
    return re.sub(r"_(sync|async)(?=\.py$)", "", path.name)


def test_every_mutation_names_tests_that_exist() -> None:
    modules = {rendered_name(path) for path in GENERATED_TESTS.glob("test_*.py")}
    known = suite_tests("test_*.py") | modules | {PASSES}
    mutations = [Mutation.read(path) for path in all_mutations()]
    # By path: the sync and async versions of a mutation share a file name.
    named = {
        str(mutation.path.relative_to(MUTATIONS)): {mutation.guard, *mutation.also} - known
        for mutation in mutations
    }
    unknown = {name: sorted(tests) for name, tests in named.items() if tests}
    assert not unknown, f"mutation headers name tests that do not exist: {unknown}"


def test_every_mutation_runs_on_some_variant() -> None:
    idle = [str(path.relative_to(MUTATIONS)) for path in all_mutations()]
    idle = [path for path in idle if not variants_of(MUTATIONS / path, full=True)]
    assert not idle, (
        f"mutations in folders, or of options, no variant takes: {idle}. Put each in "
        "mutations/<database>/ or mutations/<database>/<style>/ (database: all, sqlite, "
        "postgresql; style: sync, async), and give a variant the options it names "
        "(tests/variants.py)"
    )


def test_every_guard_has_a_mutation() -> None:
    caught_by = {Mutation.read(path).guard for path in all_mutations()}
    unproven = sorted(suite_tests("test_guard_*.py") - caught_by)
    assert not unproven, (
        f"guards no mutation in tests/mutations/ proves: {unproven}. Add a mutation that brings "
        "back the failure mode each one guards against"
    )


def test_only_mutations_in_the_mutations_folder() -> None:
    others = [str(path.relative_to(MUTATIONS)) for path in MUTATIONS.rglob("*.*")]
    others = [path for path in others if not path.endswith(".toml")]
    assert not others, f"files in tests/mutations/ that are not mutations (.toml): {others}"


@pytest.mark.parametrize("variant_name", list(VARIANT_KINDS))
def test_every_mutation_applies_to_a_fresh_render(variant_name: str, tmp_path: Path) -> None:
    """Each mutation finds what it names, once, and changes the render: in seconds, with the
    template's own ruff, not after a suite run per mutation."""
    project = render(tmp_path / "render", **FULL_VARIANTS[variant_name])
    broken = []
    for path in all_mutations():
        if variant_name not in variants_of(path, full=True):
            continue
        copy = tmp_path / path.stem / project.name
        shutil.copytree(project, copy)
        try:
            mutate(path, copy, [sys.executable, "-m", "ruff"])
        except AssertionError as error:
            broken.append(f"{path.relative_to(MUTATIONS)}: {error}")
        shutil.rmtree(copy.parent)
    assert not broken, "mutations that no longer apply:\n" + "\n".join(broken)
