"""Keep only the files of the chosen options, then print the next steps."""

import shutil
from pathlib import Path

ANSWERS = {"database": "{{ cookiecutter.database }}", "docker": "{{ cookiecutter.docker }}"}
LICENSE = "{{ cookiecutter.license }}"
PACKAGE = "{{ cookiecutter.package_name }}"
SLUG = "{{ cookiecutter.project_slug }}"
DATABASES = ("sqlite", "postgresql")

# Each database has its own version of these files, named <stem>_<database><suffix>;
# the chosen database's version takes the plain name.
PER_DATABASE = [
    f"src/{PACKAGE}/db/engine.py",
    "tests/database.py",
    "compose.yaml",
]
# Files kept only when an option has this value.
ONLY_WHEN = {
    ("database", "sqlite"): ["tests/test_guard_sqlite.py"],
    ("database", "postgresql"): ["tests/test_guard_postgresql.py"],
    ("docker", "yes"): ["Dockerfile", "compose.yaml", ".dockerignore"],
}


def main() -> None:
    for path in map(Path, PER_DATABASE):
        for database in DATABASES:
            variant = path.with_stem(f"{path.stem}_{database}")
            if database == ANSWERS["database"]:
                variant.rename(path)
            else:
                variant.unlink()
    for (option, value), paths in ONLY_WHEN.items():
        if ANSWERS[option] != value:
            for path in paths:
                Path(path).unlink()
    # Every license text is rendered under licenses/; the chosen one becomes LICENSE.
    chosen = Path("licenses", f"{LICENSE}.txt")
    if chosen.exists():
        chosen.rename("LICENSE")
    shutil.rmtree("licenses")
    print(f"\nCreated {SLUG}. Next:\n\n    cd {SLUG}\n    uv run {SLUG} serve\n    uv run pytest\n")


if __name__ == "__main__":
    main()
