"""Keep only the files of the chosen options, then print the next steps."""

import secrets
import shutil
import subprocess
from pathlib import Path

ANSWERS = {
    "database": "{{ cookiecutter.database }}",
    "session_style": "{{ cookiecutter.session_style }}",
    "observability": "{{ cookiecutter.observability }}",
    "auth": "{{ cookiecutter.auth }}",
    "docker": "{{ cookiecutter.docker }}",
    "ci": "{{ cookiecutter.ci }}",
    "license": "{{ cookiecutter.license }}",
}
PACKAGE = "{{ cookiecutter.package_name }}"
SLUG = "{{ cookiecutter.project_slug }}"
# Cruft renders without cookiecutter's own entry point, which sets _output_dir; its updates
# diff two renders, and a repository in them would be diffed too.
BY_CRUFT = "{{ cookiecutter._output_dir is not defined }}" == "True"

# Files an option turns off; a pattern takes a file's versions too, so the order in which
# the two tables apply does not matter.
ONLY_WHEN = {
    ("database", "sqlite"): [
        "tests/test_guard_sqlite*.py",
        f"src/{PACKAGE}/migrations/versions/0005_ids_never_reused.py",
    ],
    ("database", "postgresql"): ["tests/test_guard_postgresql*.py", "tests/postgresql_server.py"],
    ("session_style", "async"): [f"src/{PACKAGE}/db/dialect_*/async_driver.py"],
    ("observability", "opentelemetry"): [
        f"src/{PACKAGE}/observability",
        f"src/{PACKAGE}/db/traces.py",
        "tests/test_guard_metrics.py",
        "tests/test_guard_traces.py",
        "docs/observability.md",
    ],
    ("auth", "password"): [
        f"src/{PACKAGE}/auth",
        f"src/{PACKAGE}/api/accounts.py",
        f"src/{PACKAGE}/maintenance/roles.py",
        f"src/{PACKAGE}/models/account.py",
        f"src/{PACKAGE}/models/refresh_token.py",
        f"src/{PACKAGE}/models/sign_in_attempt.py",
        f"src/{PACKAGE}/schemas/account.py",
        f"src/{PACKAGE}/services_*/accounts.py",
        f"src/{PACKAGE}/services_*/sign_ins.py",
        f"src/{PACKAGE}/migrations/versions/0003_accounts.py",
        f"src/{PACKAGE}/migrations/versions/0004_sign_ins.py",
        f"src/{PACKAGE}/migrations/versions/0005_ids_never_reused.py",
        "tests/test_accounts.py",
        "tests/test_guard_access.py",
        "tests/test_guard_ownership.py",
        "tests/test_guard_passwords.py",
        "tests/test_guard_refresh_tokens.py",
        "tests/test_guard_sign_in_limits.py",
        "docs/auth.md",
    ],
    ("docker", "yes"): ["Dockerfile", ".dockerignore", "compose*.yaml"],
    ("ci", "github"): [".github"],
    ("ci", "gitlab"): [".gitlab-ci.yml"],
}
# Files (or folders) with one version per value of an option, named <stem>_<value><suffix>:
# the chosen value's version takes the plain name, the others go (a value may have none).
VERSIONS = {
    f"src/{PACKAGE}/db/dialect": "database",
    f"src/{PACKAGE}/db/archive.py": "database",
    f"src/{PACKAGE}/db/session.py": "session_style",
    f"src/{PACKAGE}/db/engines.py": "session_style",
    f"src/{PACKAGE}/services": "session_style",
    "tests/sessions.py": "session_style",
    "tests/database.py": "database",
    "compose.yaml": "database",
    "LICENSE": "license",
}


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def make_repository() -> None:
    """A git repository with every file staged: pre-commit (`make lint`) checks only what git
    knows of. Not inside another repository (a monorepo's), which the project then joins."""
    if shutil.which("git") is None:
        print("git not found: run `git init && git add --all` in the project before `make lint`")
        return
    outer = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd="..", capture_output=True, text=True
    )
    if outer.returncode == 0:
        print(f"In the git repository {outer.stdout.strip()}: add the project to it there.")
        return
    subprocess.run(["git", "init", "--quiet"], check=True)
    subprocess.run(["git", "add", "--all"], check=True)


def write_secret_key() -> None:
    """A signing key of this checkout's own in .env, which git ignores, so that `serve` starts
    here as it is; a deployment sets SECRET_KEY itself (without one, the service refuses)."""
    env = Path(".env")
    env.touch(mode=0o600)  # readable by its owner only, before the key is in it
    env.write_text(f"SECRET_KEY={secrets.token_urlsafe(32)}\n")


def main() -> None:
    for (option, value), patterns in ONLY_WHEN.items():
        if ANSWERS[option] != value:
            for pattern in patterns:
                for path in Path().glob(pattern):
                    remove(path)
    for name, option in VERSIONS.items():
        path = Path(name)
        chosen = path.with_stem(f"{path.stem}_{ANSWERS[option]}")
        for version in path.parent.glob(f"{path.stem}_*{path.suffix}"):
            if version == chosen:
                version.rename(path)
            else:
                remove(version)
    if not BY_CRUFT:  # cruft diffs two renders: a key in each would differ
        if ANSWERS["auth"] == "password":
            write_secret_key()
        make_repository()
    next_steps = f"cd {SLUG}\n    ./uvw run {SLUG} serve\n    ./uvw run pytest"
    print(f"\nCreated {SLUG}. Next:\n\n    {next_steps}\n")


if __name__ == "__main__":
    main()
