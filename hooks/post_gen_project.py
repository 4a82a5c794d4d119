"""Keep only the files of the chosen options, then print the next steps."""

import shutil
from pathlib import Path

LICENSE = "{{ cookiecutter.license }}"
SLUG = "{{ cookiecutter.project_slug }}"


def main() -> None:
    # Every license text is rendered under licenses/; the chosen one becomes LICENSE.
    chosen = Path("licenses", f"{LICENSE}.txt")
    if chosen.exists():
        chosen.rename("LICENSE")
    shutil.rmtree("licenses")
    print(f"\nCreated {SLUG}. Next:\n\n    cd {SLUG}\n    uv run {SLUG} serve\n    uv run pytest\n")


if __name__ == "__main__":
    main()
