"""A rendered project's own test suite, run on a copy of the project."""

import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

from tests.rendering import answers_of, environment, run
from tests.variants import Variant

# The API fuzzer takes as long as the rest of a suite, and fails on any mode that ends in a
# 500: it runs for the mutations that name it, and for the mutation the suite must accept.
FUZZER = "test_guard_api_contract.py"


def project_copy(variant: Variant, directory: Path) -> Path:
    """A copy of the variant's project, without its environment, data or repository; with its
    bytecode, which Python and pytest recompile for any file a mutation changes."""
    copy = directory / variant.slug
    ignored = shutil.ignore_patterns(".venv", ".git", "data", ".*cache", ".hypothesis")
    shutil.copytree(variant.project, copy, ignore=ignored)
    return copy


def run_suite(
    variant: Variant, copy: Path, fuzz: bool, modules: tuple[str, ...] = ()
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The project's suite on the copy (only those of the test modules given that the copy
    has, if any), with the copy's src/ first on the import path."""
    env = environment(**variant.env, PYTHONPATH=str(copy / "src"))
    package = answers_of(copy)["package_name"]
    where = f"import {package}; print({package}.__file__)"
    imported = run([variant.bin("python"), "-c", where], copy, **env).strip()
    assert Path(imported).is_relative_to(copy), f"the suite would test {imported}, not the copy"
    report = copy / "report.xml"
    pytest_options = ["-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
    # Python tracebacks, not pytest's: pytest parses the source of each frame, and on Python
    # 3.11 before 3.11.8 (CPython gh-106905) that can end a run with many failures in an
    # INTERNALERROR ("AST constructor recursion depth mismatch").
    pytest_options.append("--tb=native")
    if not fuzz:  # nor the fuzzer's libraries: hypothesis's plugin imports it at the end
        pytest_options += ["-p", "no:schemathesis", "-p", "no:hypothesispytest"]
        pytest_options += [f"--ignore=tests/{FUZZER}"]
    chosen = [f"tests/{module}" for module in modules if (copy / "tests" / module).exists()]
    result = subprocess.run(
        [variant.bin("python"), "-m", "pytest", *pytest_options, *chosen],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, report


def failures(report: Path) -> dict[str, str | None]:
    """Each test that failed or errored, as module::name, with what its assertion said (None
    when it only errored, in setup or teardown)."""
    if not report.exists():  # pytest stopped before it ran a test
        return {}
    found: dict[str, str | None] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        failure, error = case.find("failure"), case.find("error")
        if failure is None and error is None:
            continue
        module = case.get("classname", "").rpartition(".")[2]
        name = case.get("name", "").partition("[")[0]
        test = f"{module}.py::{name}" if module else f"{name} (collecting)"
        if failure is not None:  # a parametrized test may fail in several cases: keep each
            found[test] = "\n".join(filter(None, [found.get(test), failure.get("message", "")]))
        else:
            found.setdefault(test, None)
    return found
