"""Render the template and run commands in what it rendered."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).parents[1]
GIT_USER = {
    f"GIT_{role}_{field}": value
    for role in ("AUTHOR", "COMMITTER")
    for field, value in (("NAME", "Test"), ("EMAIL", "test@example.com"))
}


def render(output_dir: Path, template: Path = ROOT, **answers: Any) -> Path:
    """Render without prompting; answers override the defaults."""
    # cookiecutter writes each hook, rendered, to a temporary file it never deletes.
    with tempfile.TemporaryDirectory() as hooks, mock.patch.object(tempfile, "tempdir", hooks):
        return Path(
            cookiecutter(
                str(template), no_input=True, output_dir=str(output_dir), extra_context=answers
            )
        )


def answers_of(project: Path) -> dict[str, str]:
    """The answers a rendered project was made with (its .cookiecutter.json)."""
    answers: dict[str, str] = json.loads((project / ".cookiecutter.json").read_text())
    return answers


def environment(**extra: str) -> dict[str, str]:
    """This process's environment without its own virtualenv and import path, plus extra."""
    outer = ("VIRTUAL_ENV", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if k not in outer} | extra


def run(command: list[str], cwd: Path, timeout: float = 600, **env: str) -> str:
    """Run a command in a rendered project's own environment; fail with its output."""
    result = attempt(command, cwd, timeout, **env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{output}"
    return output


def attempt(
    command: list[str], cwd: Path, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run a command in a rendered project's own environment, whether it fails or not."""
    venv = cwd / ".venv"
    environ = environment()
    environ |= {"PATH": f"{venv / 'bin'}{os.pathsep}{environ['PATH']}"} if venv.exists() else {}
    return subprocess.run(
        command,
        cwd=cwd,
        env=environ | env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(directory: Path, *args: str) -> str:
    return run(["git", *args], directory, **GIT_USER).strip()


def template_copy(directory: Path) -> Path:
    """The template's files as they are in this work tree, in a repository of their own."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file() or (ROOT / name).is_symlink():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, directory / name, follow_symlinks=False)
    git(directory, "init", "-q")
    git(directory, "add", "-A")
    git(directory, "commit", "-qm", "template")
    return directory
