"""A project made with cruft takes in later template changes and keeps its own edits."""

import json
import sys
import tempfile
from pathlib import Path

from tests.rendering import GIT_USER, environment, git, run, template_copy

CRUFT = str(Path(sys.executable).with_name("cruft"))
README = "{{cookiecutter.project_slug}}/README.md"
TEMPLATE_LINE = "A line the template added later."
USER_SECTION = "\n## Our deployment\n\nNotes only this project has.\n"


def cruft(directory: Path, *args: str) -> str:
    with tempfile.TemporaryDirectory() as hooks:  # for the hooks' files, as render() does
        return run([CRUFT, *args], directory, **environment(**GIT_USER, TMPDIR=hooks))


def test_cruft_update_brings_template_changes_and_keeps_the_projects_edits(
    tmp_path: Path,
) -> None:
    template = template_copy(tmp_path / "template")
    first = git(template, "rev-parse", "HEAD")
    cruft(tmp_path, "create", "--no-input", "--output-dir", "projects", str(template))
    project = tmp_path / "projects" / "my-service"
    state = json.loads((project / ".cruft.json").read_text())
    assert (state["template"], state["commit"]) == (str(template), first), state

    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")
    with (project / "README.md").open("a") as readme:
        readme.write(USER_SECTION)
    git(project, "commit", "-qam", "our own notes")

    readme = (template / README).read_text()
    title, rest = readme.split("\n", 1)
    (template / README).write_text(f"{title}\n\n{TEMPLATE_LINE}\n{rest}")
    git(template, "commit", "-qam", "a template change")
    later = git(template, "rev-parse", "HEAD")

    cruft(project, "update", "-y", "--checkout", later)
    updated = (project / "README.md").read_text()
    assert TEMPLATE_LINE in updated, "the template's change did not arrive"
    assert updated.endswith(USER_SECTION), "the project's own edit did not survive"
    assert not list(project.rglob("*.rej")), "the update left rejected hunks"
    unmerged = git(project, "diff", "--name-only", "--diff-filter=U")
    assert not unmerged, f"the update left conflicts in {unmerged}"
    assert json.loads((project / ".cruft.json").read_text())["commit"] == later
    cruft(project, "check", "--checkout", later)
