"""Another client's transaction, held open while the test acts through the API.

It runs in the service's own unit of work (tests/sessions.py), in a thread of its own, one
step at a time: each step is a function of its session. It commits when the block ends.

    with OtherTransaction(settings) as other:
        other.run(lambda session: ...)       # done, and still uncommitted
        response = api_call_in_a_thread()    # meets the other transaction
"""

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Self

from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.settings import Settings

from tests.sessions import in_session

Step = Callable[[Session], Any]
# Longer than any wait a step may meet in these tests, shorter than a hung test run.
STEP_S = 30


class OtherTransaction:
    def __init__(self, settings: Settings) -> None:
        self._steps: queue.Queue[tuple[Step, Future[Any]] | None] = queue.Queue()
        self._ended: Future[None] = Future()
        self._thread = threading.Thread(target=self._serve, args=(settings,), daemon=True)

    def _serve(self, settings: Settings) -> None:
        def steps(session: Session) -> None:
            while (step := self._steps.get()) is not None:
                work, result = step
                try:
                    result.set_result(work(session))
                except BaseException as error:
                    result.set_exception(error)
                    raise  # rolls the transaction back

        try:
            in_session(settings, steps)
            self._ended.set_result(None)
        except BaseException as error:
            self._ended.set_exception(error)

    def start(self, work: Step) -> "Future[Any]":
        """Begin a step (one that may wait for a lock the API's request holds)."""
        result: Future[Any] = Future()
        self._steps.put((work, result))
        return result

    def run(self, work: Step) -> Any:
        """Run a step to its end and return what it returned."""
        return self.start(work).result(STEP_S)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Commit (what the steps did stays), and wait for the thread."""
        self._steps.put(None)
        self._thread.join(STEP_S)
        if kind is None:
            self._ended.result(0)
