"""Metrics shared by the worker processes: each writes its own values to files in one folder,
which /metrics sums (prometheus_client's multiprocess mode)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Final

from ..settings import PACKAGE

FOLDER: Final = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics_between_workers() -> None:
    """Give the workers `serve` starts a folder to write their metrics to: the one
    PROMETHEUS_MULTIPROC_DIR names, emptied of an earlier run's values (which would count
    again, and a worker that crashed would stay counted), or a new one. Call it before
    anything imports prometheus_client: the folder must be set by then."""
    if given := os.environ.get(FOLDER):
        for values in Path(given).glob("*.db"):
            values.unlink()
        return
    folder = tempfile.mkdtemp(prefix=f"{PACKAGE}-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[FOLDER] = folder
