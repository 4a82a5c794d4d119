"""Docker variants: the compose file is valid; the image builds and compose runs it, healthy,
as a user that is not root, keeping its rows across `down` and `up`; and the container's
commands (migrate, the image's CMD, its HEALTHCHECK) also work outside Docker, where a
failure is quicker to read.
"""

import json
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.containers import docker, require_engine
from tests.rendering import attempt, environment, run
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
        assert tags["items"], "serve did not seed the reference rows"  # type: ignore[index]
        service.stop()
    finally:
        service.kill()


@pytest.mark.containers
def test_compose_builds_runs_and_keeps_the_rows(variant: Variant) -> None:
    require_engine()
    env = environment(APP_PORT="0", POSTGRES_PASSWORD=secrets.token_hex(16))
    name = f"template-test-{variant.name}-{secrets.token_hex(4)}"

    def compose(*args: str) -> str:
        return docker("compose", "--project-name", name, *args, cwd=variant.project, **env)

    def url() -> str:
        return "http://" + compose("port", "app", "8000").strip()

    try:
        compose("up", "--build", "--wait", "--wait-timeout", "300")
        states = [json.loads(line) for line in compose("ps", "--format", "json").splitlines()]
        health = {state["Service"]: state["Health"] for state in states}
        assert set(health.values()) == {"healthy"}, f"not every service is healthy: {health}"
        assert compose("exec", "-T", "app", "id", "-u").strip() != "0", "the app runs as root"
        assert call(f"{url()}/readyz") == (200, {"status": "ready"})
        status, created = call(f"{url()}/tags", {"name": name})
        assert status == 201, created
        command = variant.project.name
        compose("exec", "-T", "app", command, "backup", "/data/backup")
        restored = compose("exec", "-T", "app", command, "restore", "--force", "/data/backup")
        assert restored.startswith("restored /data/backup"), restored
        compose("down")  # keeps the volumes
        compose("up", "--wait", "--wait-timeout", "300")
        assert call(f"{url()}/tags/{created['id']}") == (200, created), (  # type: ignore[index]
            "the row written before `docker compose down` is gone after `up`"
        )
    finally:
        for last in (["logs"], ["down", "--volumes", "--rmi", "local"]):
            command = ["docker", "compose", "--project-name", name, *last]
            done = attempt(command, variant.project, **env)
            print(done.stdout, done.stderr)  # shown when the test fails
