"""Docker variants: the compose file is valid, and the container's commands work outside Docker.

No Docker engine runs here, so the test reads the commands the image and compose.yaml would
run (migrate, then the image's CMD, then its HEALTHCHECK) and runs exactly those, with the
compose environment, against a real database.
"""

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.rendering import environment, run
from tests.service import Service, call
from tests.variants import DOCKER_VARIANTS, Variant, params


@pytest.fixture(params=params(DOCKER_VARIANTS))
def variant(request: pytest.FixtureRequest, prepared: Callable[[str], Variant]) -> Variant:
    return prepared(request.param)


def dockerfile_command(dockerfile: str, instruction: str) -> list[str]:
    """The exec-form command of the last CMD, or of HEALTHCHECK's CMD."""
    joined = dockerfile.replace("\\\n", " ")
    pattern = (
        r"^HEALTHCHECK .*?CMD (\[.*\])$" if instruction == "HEALTHCHECK" else r"^CMD (\[.*\])$"
    )
    commands = re.findall(pattern, joined, re.MULTILINE)
    assert commands, f"no exec-form {instruction} in the Dockerfile"
    command: list[str] = json.loads(commands[-1])
    return command


def test_compose_file_matches_the_compose_specification(variant: Variant) -> None:
    compose = variant.project / "compose.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(compose),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_waits_for_migrations_and_a_healthy_database(variant: Variant) -> None:
    services = yaml.safe_load((variant.project / "compose.yaml").read_text())["services"]
    waits_for = services["app"]["depends_on"]
    assert waits_for["migrate"] == {"condition": "service_completed_successfully"}
    if "db" in services:
        assert waits_for["db"] == {"condition": "service_healthy"}
        assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
        assert "healthcheck" in services["db"]
    volumes = [v for s in services.values() for v in s.get("volumes", [])]
    assert volumes, "no volume: the data would live in the container"
    assert all(not v.startswith(("/", ".")) for v in volumes), (
        f"data must live on named volumes, not in the image or a host path: {volumes}"
    )


def test_container_commands_run_outside_docker(variant: Variant, tmp_path: Path) -> None:
    dockerfile = (variant.project / "Dockerfile").read_text()
    assert "\nUSER app\n" in dockerfile, "the image must not run as root"
    services = yaml.safe_load((variant.project / "compose.yaml").read_text())["services"]
    app_env = {key: str(value) for key, value in services["app"].get("environment", {}).items()}
    # Where the container would reach its volume or the db service, use the test's database.
    database = {"DATABASE_URL": variant.env.get("DATABASE_URL", f"sqlite:///{tmp_path}/data.db")}
    venv_bin = str(Path(variant.bin("python")).parent)
    env = environment(**(app_env | database), PATH=f"{venv_bin}:{environment()['PATH']}")

    run(services["migrate"]["command"], tmp_path, **env)
    service = Service(dockerfile_command(dockerfile, "CMD"), tmp_path, env)
    try:
        service.start()
        healthcheck = dockerfile_command(dockerfile, "HEALTHCHECK")
        run(healthcheck, tmp_path, **(service.env | {"PORT": str(service.port)}))
        assert call(f"{service.url}/readyz") == (200, {"status": "ready"})
        status, tags = call(f"{service.url}/tags")
        assert status == 200
        assert tags["total"] > 0, "serve did not seed the reference rows"  # type: ignore[index]
        service.stop()
    finally:
        service.kill()
