"""Keep only the files of the chosen options, then print the next steps."""

import shutil
from pathlib import Path

ANSWERS = {
    "database": "{{ cookiecutter.database }}",
    "docker": "{{ cookiecutter.docker }}",
    "ci": "{{ cookiecutter.ci }}",
    "license": "{{ cookiecutter.license }}",
}
PACKAGE = "{{ cookiecutter.package_name }}"
SLUG = "{{ cookiecutter.project_slug }}"

# Files an option turns off; a pattern takes a file's versions too, so the order in which
# the two tables apply does not matter.
ONLY_WHEN = {
    ("database", "sqlite"): ["tests/test_guard_sqlite.py"],
    ("database", "postgresql"): ["tests/test_guard_postgresql.py"],
    ("docker", "yes"): ["Dockerfile", ".dockerignore", "compose*.yaml"],
    ("ci", "github"): [".github"],
    ("ci", "gitlab"): [".gitlab-ci.yml"],
}
# Files with one version per value of an option, named <stem>_<value><suffix>: the chosen
# value's version takes the plain name, the others go (a value may have no version).
VERSIONS = {
    f"src/{PACKAGE}/db/dialect.py": "database",
    "tests/database.py": "database",
    "compose.yaml": "database",
    "LICENSE": "license",
}


def main() -> None:
    for (option, value), patterns in ONLY_WHEN.items():
        if ANSWERS[option] != value:
            for pattern in patterns:
                for path in Path().glob(pattern):
                    if path.is_dir():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
    for name, option in VERSIONS.items():
        path = Path(name)
        chosen = path.with_stem(f"{path.stem}_{ANSWERS[option]}")
        for version in path.parent.glob(f"{path.stem}_*{path.suffix}"):
            if version == chosen:
                version.rename(path)
            else:
                version.unlink()
    print(f"\nCreated {SLUG}. Next:\n\n    cd {SLUG}\n    uv run {SLUG} serve\n    uv run pytest\n")


if __name__ == "__main__":
    main()
