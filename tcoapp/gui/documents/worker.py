"""Long runs (Monte Carlo, sweeps, comparisons) on one background thread the window owns.

The work is a plain function taking ``progress(fraction)`` and ``cancelled()``
callbacks (the sensitivity API); it never touches a widget. Its result comes
back through a queued signal and is applied on the main thread. A newer
request cancels the stale one; closing the window cancels and waits, so no
QThread is ever collected while running.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal



def is_cancellation(error: BaseException) -> bool:
    """Whether an exception is the sensitivity API's ``Cancelled`` (matched by name: it may not be importable)."""
    return type(error).__name__ == "Cancelled"


class Task(QThread):
    """One run of ``function(*args, progress=..., cancelled=..., **kwargs)``."""

    # Each signal carries the task itself and is connected to the Worker's own methods: a
    # QObject's bound method runs queued on the main thread (a lambda would run on this thread).
    progressed = Signal(object, float)
    succeeded = Signal(object, object)
    failed = Signal(object, object)
    was_cancelled = Signal(object)

    PROGRESS_INTERVAL = 0.05  # seconds between progress signals

    def __init__(self, name: str, function: Callable[..., Any], args: tuple, kwargs: dict,
                 on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.on_result = on_result
        self.on_error = on_error
        self.function = function
        self.args = args
        self.kwargs = kwargs
        self._cancel = threading.Event()
        self._last_progress = 0.0
        self.outcome: str | None = None

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_progress >= self.PROGRESS_INTERVAL:
            self._last_progress = now
            self.progressed.emit(self, float(fraction))

    def run(self) -> None:
        try:
            result = self.function(*self.args, progress=self._progress, cancelled=self.is_cancelled, **self.kwargs)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            if self.is_cancelled() or is_cancellation(error):
                self.outcome = "cancelled"
                self.was_cancelled.emit(self)
            else:
                self.outcome = "failed"
                self.failed.emit(self, error)
            return
        if self.is_cancelled():
            self.outcome = "cancelled"
            self.was_cancelled.emit(self)
        else:
            self.outcome = "done"
            self.succeeded.emit(self, result)


class Worker(QObject):
    """Runs one task at a time; submitting a new one cancels the running one.

    Signals
    -------
    started(str), progress(str, float), finished(str, object), failed(str, object), cancelled(str)
        Named by the task; ``busy_changed(bool)`` when a task starts or the last one ends.
    """

    started = Signal(str)
    progress = Signal(str, float)
    finished = Signal(str, object)
    failed = Signal(str, object)
    cancelled = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.current: Task | None = None
        self._tasks: list[Task] = []  # every thread still running, the stale ones included

    @property
    def busy(self) -> bool:
        return self.current is not None

    def submit(self, name: str, function: Callable[..., Any], *args: Any,
               on_result: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, **kwargs: Any) -> Task:
        """Start ``function`` in the background (cancelling the running task)."""
        self.cancel()
        task = Task(name, function, args, kwargs, on_result, on_error)
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_succeeded)
        task.failed.connect(self._on_failed)
        task.was_cancelled.connect(self._on_cancelled)
        task.finished.connect(self._on_thread_finished)
        self._tasks.append(task)
        self.current = task
        self.started.emit(name)
        self.busy_changed.emit(True)
        task.start()
        return task

    def cancel(self) -> None:
        """Ask the running task to stop (it stops at its next check)."""
        task = self.current
        if task is not None:
            task.cancel()
            self.current = None
            self.cancelled.emit(task.name)
            self.busy_changed.emit(False)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Cancel everything and wait for the threads; True when all stopped."""
        self.cancel()
        stopped = True
        for task in list(self._tasks):
            task.cancel()
            stopped = task.wait(timeout_ms) and stopped
        return stopped

    def wait_idle(self, timeout_ms: int = 60000) -> bool:
        """Block until the running task ends and its result is delivered (for the screenshot command)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer

        deadline = QDeadlineTimer(timeout_ms)
        while self.current is not None and not deadline.hasExpired():
            self.current.wait(50)
            QCoreApplication.processEvents()
        QCoreApplication.processEvents()
        return self.current is None

    # -- signal handlers, on the main thread -------------------------------------------------------
    def _on_progress(self, task: Task, fraction: float) -> None:
        if task is self.current:
            self.progress.emit(task.name, fraction)

    def _on_succeeded(self, task: Task, result: Any) -> None:
        if task is not self.current:
            return  # a stale run: its result no longer matches the inputs
        self.current = None
        if task.on_result is not None:
            task.on_result(result)
        self.finished.emit(task.name, result)
        self.busy_changed.emit(False)

    def _on_failed(self, task: Task, error: BaseException) -> None:
        if task is not self.current:
            return
        self.current = None
        if task.on_error is not None:
            task.on_error(error)
        self.failed.emit(task.name, error)
        self.busy_changed.emit(False)

    def _on_cancelled(self, task: Task) -> None:
        if task is self.current:  # cancelled from inside (the function raised Cancelled on its own)
            self.current = None
            self.cancelled.emit(task.name)
            self.busy_changed.emit(False)

    def _on_thread_finished(self) -> None:
        task = self.sender()
        if not isinstance(task, Task):
            return
        task.wait()  # finished() comes just before the thread really ends
        if task in self._tasks:
            self._tasks.remove(task)
        task.deleteLater()
