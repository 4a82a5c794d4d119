"""The connections every pool of the process has out, counted at /metrics."""

import atexit
import os
import weakref
from typing import Any

from prometheus_client import multiprocess
from sqlalchemy import event
from sqlalchemy.pool import ConnectionPoolEntry, Pool

from .metrics import IN_USE
from .workers import FOLDER

# The pooled connections counted out. A checkout that fails its checks (a connection replaced
# after an outage) is tried again on the same entry, and announced again; and an entry's own
# info is cleared as its connection is replaced, so it cannot hold the mark.
_out: weakref.WeakSet[ConnectionPoolEntry] = weakref.WeakSet()


def count_connections_in_use() -> None:
    """Count the connections of every pool, and take the process's count away as it stops."""
    for name, change in (("checkout", _checked_out), ("checkin", _checked_in)):
        if not event.contains(Pool, name, change):
            event.listen(Pool, name, change)
    if os.environ.get(FOLDER):
        atexit.register(multiprocess.mark_process_dead, os.getpid())


def _checked_out(_: Any, entry: ConnectionPoolEntry, *__: Any) -> None:
    if entry not in _out:
        _out.add(entry)
        IN_USE.inc()


def _checked_in(_: Any, entry: ConnectionPoolEntry) -> None:
    if entry in _out:
        _out.discard(entry)
        IN_USE.dec()
