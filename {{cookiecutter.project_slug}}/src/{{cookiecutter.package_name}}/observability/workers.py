"""Metrics shared by the worker processes: each writes its own values to files in one folder,
which /metrics sums (prometheus_client's multiprocess mode)."""

import atexit
import os
import shutil
import tempfile
from typing import Final

from ..settings import PACKAGE

FOLDER: Final = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics_between_workers() -> None:
    """Give the workers `serve` starts a folder of their own to write their metrics to, made
    empty (values left by an earlier run would count again), unless one is given. Call it
    before anything imports prometheus_client: the folder must be set by then."""
    if os.environ.get(FOLDER):
        return
    folder = tempfile.mkdtemp(prefix=f"{PACKAGE}-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[FOLDER] = folder
