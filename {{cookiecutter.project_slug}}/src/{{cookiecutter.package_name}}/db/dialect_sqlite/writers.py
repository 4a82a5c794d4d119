"""Writers take turns: SQLite's lock admits one, so each process queues its writers, and the
processes on one file take turns through a lock file."""

import fcntl
import os
import threading
import time
from pathlib import Path

from anyio import move_on_after, to_thread
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import TimeoutError as DatabaseTimeout

from ...settings import Settings
from ..waits import NO_WAIT, Place, Places
from .files import writers_lock


class Writers:
    """The one place for a writer: first come first served within the process, and between
    processes (workers on one file) held through an exclusive lock on the file `lock`, for
    which a waiting worker is woken the moment it is let go.

    Without it, a worker that finds SQLite's lock taken waits in SQLite's busy handler,
    which sleeps 1, 2, 5, 10 ms... between tries while the lock may sit free: with two
    workers on one file, creates waited longest there.
    """

    def __init__(self, lock: Path | None) -> None:
        self.lock = lock
        self._queue = Places(1)
        self._lock_file: int | None = None  # open while this process's writer holds the place

    async def acquire(self, deadline: float) -> None:
        """Wait for the place until the deadline (cancelling the wait leaves nothing held)."""
        await self._queue.acquire(deadline)
        try:
            if self.lock is not None:
                self._lock_file = await self._locked(self.lock, deadline)
        except BaseException:
            self._queue.release()
            raise

    def release(self) -> None:
        try:
            if self._lock_file is not None:
                os.close(self._lock_file)  # which lets go of the lock
        finally:
            self._lock_file = None
            self._queue.release()

    async def _locked(self, lock: Path, deadline: float) -> int:
        try:
            return locked_file(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another worker writes: wait off the event loop
        wait = _LockWait(lock)
        try:
            with move_on_after(deadline - time.monotonic()):
                return await to_thread.run_sync(wait.locked, abandon_on_cancel=True)
            raise DatabaseTimeout("another worker's writer held the lock past the deadline")
        except BaseException:
            wait.give_up()
            raise


class _LockWait:
    """A wait in a worker thread for the lock, which the waiting writer may give up: a lock
    the thread takes after that is let go at once. (A thread left waiting stays blocked until
    the lock is free, then takes it and lets go.)"""

    def __init__(self, lock: Path) -> None:
        self._lock = lock
        self._mutex = threading.Lock()
        self._given_up = False
        self._taken: int | None = None

    def locked(self) -> int:
        """The lock file, locked; -1 if the writer gave up meanwhile."""
        lock_file = locked_file(self._lock, fcntl.LOCK_EX)
        with self._mutex:
            if self._given_up:
                os.close(lock_file)
                return -1
            self._taken = lock_file
        return lock_file

    def give_up(self) -> None:
        with self._mutex:
            self._given_up = True
            if self._taken is not None:  # taken just as the writer gave up
                os.close(self._taken)


def locked_file(lock: Path, operation: int) -> int:
    """The lock file, opened and locked with `operation` (flock); closed if that fails."""
    # Readable and writable by whoever may run the service, as the database file is.
    lock_file = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(lock_file, operation)
    except BaseException:
        os.close(lock_file)
        raise
    return lock_file


def limiters(settings: Settings) -> tuple[Writers, Place, Places]:
    """Places for (writers, readers, slow services' calls). SQLite's lock admits one writer,
    so writers queue for it one at a time, across the processes on the file too (Writers).
    Reads take no place, nor a thread (NO_WAIT): in WAL mode they do not wait for writers,
    and a hop to a thread and back costs more than the read. Slow services' calls run in
    threads, one per pooled connection but the two that work on the event loop and a writer
    may need: with three connections or more, the loop never waits for one."""
    slow = Places(max(1, settings.pool_size + settings.max_overflow - 2))
    return Writers(writers_lock(settings)), NO_WAIT, slow
