"""A new user's first hour: the READMEs' two commands, as written, on a fresh Debian machine,
and a render that is a git repository of its own, outside the template's folder."""

import json
import re
import secrets
import time
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.containers import docker, require_engine
from tests.rendering import ROOT, attempt, git, render, template_copy

# A developer's Debian machine: Debian's own python3, which has no pip and whose venv module
# has none either until python3-venv is installed (PEP 668 forbids `pip install` into it);
# git, which cloned the template; a user who may sudo. Nothing else.
MACHINE = """\
FROM debian:bookworm-slim
RUN apt-get update \\
    && apt-get install -y --no-install-recommends python3 git sudo ca-certificates \\
    && rm -rf /var/lib/apt/lists/* \\
    && useradd --create-home dev && echo "dev ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/dev
USER dev
COPY --chown=dev template /home/dev/template
"""
TEMPLATE, PROJECT = "/home/dev/template", "/home/dev/my-service"
# Run in the machine's python3: /readyz, then a tag created and read back.
CHECK = """\
import json, sys, urllib.request
def call(path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{sys.argv[1]}{path}", data, {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return [response.status, json.loads(response.read())]
created = call("/tags", {"name": sys.argv[2]})
print(json.dumps([call("/readyz"), created, call(f"/tags/{created[1]['id']}")]))
"""
READY = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)"
ENDED = "exited with status"


def two_commands(readme: str) -> list[str]:
    """The indented command lines of the README's "Two commands" section (not its fenced
    examples)."""
    section = re.search(r"^## Two commands\n(.*?)^## ", readme, re.DOTALL | re.MULTILINE)
    assert section, "the README has no '## Two commands' section"
    prose = re.sub(r"^```.*?^```", "", section[1], flags=re.DOTALL | re.MULTILINE)
    lines = [line[4:] for line in prose.splitlines() if line.startswith("    ")]
    assert len(lines) == 2, f"'Two commands' shows {len(lines)} command lines: {lines}"
    return lines


class Machine:
    """A running container of the MACHINE image."""

    def __init__(self, image: str) -> None:
        self.id = docker("run", "--detach", "--rm", image, "sleep", "infinity").strip()

    def run(self, command: str, workdir: str, **env: str) -> str:
        options = [f"--env={name}={value}" for name, value in env.items()]
        return docker("exec", f"--workdir={workdir}", *options, self.id, "sh", "-c", command)

    def serve(self, command: str, workdir: str, port: int) -> float:
        """Start a command that ends in a server; the seconds until it answered /readyz."""
        log = f"/tmp/serve-{port}.log"
        started = time.monotonic()
        docker(
            "exec", "--detach", f"--workdir={workdir}", f"--env=PORT={port}", self.id, "sh", "-c",
            f'({command}) >{log} 2>&1; echo "{ENDED} $?" >>{log}',
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/readyz"
        while time.monotonic() - started < 900:
            if self.attempt("python3", "-c", READY, url):
                return time.monotonic() - started
            said = self.run(f"cat {log}", "/")
            assert ENDED not in said, f"{command!r} ended before it served:\n{said}"
            time.sleep(1)
        pytest.fail(f"{command!r} did not answer {url} in 900 s:\n{self.run(f'cat {log}', '/')}")

    def attempt(self, *command: str) -> bool:
        return attempt(["docker", "exec", self.id, *command], Path(), timeout=30).returncode == 0

    def check_service(self, port: int) -> None:
        name = f"first-hour-{port}"
        said = docker("exec", self.id, "python3", "-c", CHECK, str(port), name)
        ready, created, read = json.loads(said)
        assert ready == [200, {"status": "ready"}], ready
        assert created[0] == 201, created
        assert read == [200, created[1]], f"the created tag read back as {read}"


@pytest.mark.containers
def test_the_readmes_commands_work_on_a_fresh_debian_machine(tmp_path: Path) -> None:
    require_engine()
    template_copy(tmp_path / "template")
    (tmp_path / "Dockerfile").write_text(MACHINE)
    image = f"template-test-machine-{secrets.token_hex(4)}"
    docker("build", "--quiet", "--tag", image, str(tmp_path))
    machine = Machine(image)
    took: dict[str, float] = {}
    try:
        render_and_serve, test_template = two_commands((ROOT / "README.md").read_text())
        took["template: render and serve"] = machine.serve(render_and_serve, TEMPLATE, 8000)
        machine.check_service(8000)
        serve, test = two_commands(machine.run("cat README.md", PROJECT))
        took["project: serve"] = machine.serve(serve, PROJECT, 8001)
        machine.check_service(8001)

        started = time.monotonic()
        said = machine.run(test, PROJECT)
        took["project: test"] = time.monotonic() - started
        assert re.search(r"\d+ passed", said), said
        # The template's own suite here would take half an hour: its answers tests stand in.
        started = time.monotonic()
        said = machine.run(test_template, TEMPLATE, PYTEST_ADDOPTS="tests/test_answers.py")
        took["template: test (answers only)"] = time.monotonic() - started
        assert re.search(r"\d+ passed", said), said
    finally:
        print("\n".join(f"{step}: {seconds:.0f} s" for step, seconds in took.items()))
        docker("rm", "--force", machine.id)
        docker("rmi", image)


def test_a_render_is_a_repository_with_every_file_staged(tmp_path: Path) -> None:
    project = render(tmp_path)
    staged = set(git(project, "ls-files").splitlines())
    files = {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }
    assert staged == files, f"not staged: {sorted(files - staged)}"


def test_a_render_inside_another_repository_joins_it(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    project = render(tmp_path)
    assert not (project / ".git").exists(), "a repository inside the user's repository"


def test_a_render_inside_the_templates_folder_is_refused(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    template = template_copy(tmp_path / "template")
    with pytest.raises(FailedHookException):
        render(template, template)
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert any("inside the template's folder" in line for line in errors), errors
    assert git(template, "status", "--porcelain") == "", "the refused render left files"
