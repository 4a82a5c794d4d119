"""The guard suite proves itself: each failure mode, introduced on purpose, is caught.

Each file in tests/mutations/ is a patch against a rendered project that brings back one
failure mode; its header names the guard that must catch it and a part of that guard's
message. The patch is applied to a copy of the variant's project and the project's own
suite runs on the copy; the terminal summary lists what caught each mode.
"""

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import environment, run
from tests.variants import Variant

MUTATIONS = Path(__file__).parent / "mutations"
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


def run_suite_on_patched_copy(
    variant: Variant, mutation: Mutation, directory: Path
) -> subprocess.CompletedProcess[str]:
    copy = directory / variant.slug
    ignored = shutil.ignore_patterns(".venv", ".git", "data", "*cache*", "__pycache__")
    shutil.copytree(variant.project, copy, ignore=ignored)
    run(["git", "apply", str(mutation.path)], copy)
    # The variant's environment runs the copy: its src/ comes first on the import path.
    env = environment(**variant.env, PYTHONPATH=str(copy / "src"))
    return subprocess.run(
        [variant.bin("python"), "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.mutation
@pytest.mark.parametrize(("variant_name", "mutation"), cases())
def test_guard_catches_the_failure_mode(
    variant_name: str,
    mutation: Mutation,
    prepared: Callable[[str], Variant],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    result = run_suite_on_patched_copy(prepared(variant_name), mutation, tmp_path)
    output = result.stdout + result.stderr
    failed = [line for line in output.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    lines = [line for line in output.splitlines() if mutation.message and mutation.message in line]
    said = [line for line in lines if line.startswith("E ")] or lines
    message = said[0].removeprefix("E").strip() if said else ""
    record_property("mutation", (variant_name, mutation.mode, mutation.guard, message[:140]))
    if mutation.guard == PASSES:
        assert result.returncode == 0, f"{mutation.path.name} must pass, but:\n{output[-3000:]}"
        return
    assert result.returncode != 0, f"no guard caught {mutation.path.name}: {mutation.mode}"
    assert mutation.guard in output, (
        f"{mutation.path.name} was caught, but not by {mutation.guard}:\n" + "\n".join(failed)
    )
    assert message, (
        f"{mutation.guard} failed without saying {mutation.message!r}:\n{output[-3000:]}"
    )
