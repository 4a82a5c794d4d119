"""Keep only the files of the chosen options, then print the next steps."""

import shutil
from pathlib import Path

DATABASE = "{{ cookiecutter.database }}"
LICENSE = "{{ cookiecutter.license }}"
PACKAGE = "{{ cookiecutter.package_name }}"
SLUG = "{{ cookiecutter.project_slug }}"
DATABASES = ("sqlite", "postgresql")

# Each database has its own version of these files, named <stem>_<database><suffix>;
# the chosen one takes the plain name.
PER_DATABASE = [
    f"src/{PACKAGE}/db/engine.py",
    f"src/{PACKAGE}/migrations/versions/0001_initial_schema.py",
    "tests/database.py",
]
# Files only one database needs.
ONLY_FOR = {
    "sqlite": ["tests/test_guard_sqlite.py"],
    "postgresql": ["tests/test_guard_postgresql.py"],
}


def main() -> None:
    for path in map(Path, PER_DATABASE):
        for database in DATABASES:
            variant = path.with_stem(f"{path.stem}_{database}")
            if database == DATABASE:
                variant.rename(path)
            else:
                variant.unlink()
    for database, paths in ONLY_FOR.items():
        if database != DATABASE:
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
