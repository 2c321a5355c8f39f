"""The overview's live uncertainty band: a seeded Monte Carlo of lifetime cost after every edit, off the GUI thread.

:class:`LiveBand` runs :func:`tcoapp.scenario.sensitivity.monte_carlo` (10,000
samples, seed 0) on its own :class:`~tcoapp.gui.documents.worker.Worker`, so it never
cancels or waits for the window's long runs. Each request bumps a generation
counter: the run of an older generation stops at its next chunk (its
``cancelled()`` sees the newer generation) and a result that arrives anyway
is dropped, so only the band of the latest edit is ever applied.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from tcoapp.gui.documents.worker import Worker

BAND_SAMPLES = 10_000
BAND_SEED = 0
#: Scenarios per engine call: small enough that a run an edit made stale stops within a few
#: milliseconds (``cancelled`` is checked between chunks) instead of holding the cores while the
#: next edit is drawn. On one thread, so the GUI thread keeps a core of its own: 10,000 samples in
#: chunks of 1,000 on one thread take about as long as in chunks of 5,000 on two (the smaller
#: arrays stay in cache; benchmarks/README.md).
BAND_CHUNK = 1_000
BAND_WORKERS = 1


def compute_band(scenario, progress: Callable[[float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> dict[str, Any]:
    """P10, P50 and P90 of lifetime cost and of cumulative total cost per month.

    Returns ``{"p10", "p50", "p90"}`` (cumulative total cost, one value a month,
    what :class:`tcoapp.reports.figures.CumulativeChart` draws as a fan), and
    ``"total"``: the three percentiles of lifetime cost, with the sample count,
    seed and the number of samples that could not be computed.
    """
    from tcoapp.scenario.sensitivity import monte_carlo

    result = monte_carlo(scenario, samples=BAND_SAMPLES, seed=BAND_SEED, metrics=("total_cost",), events=[],
                         bins=1, progress=progress, cancelled=cancelled, chunk=BAND_CHUNK,
                         workers=BAND_WORKERS)
    stats = result["metrics"]["total_cost"]
    bands = result["bands"]
    return {"p10": bands["p10"], "p50": bands["p50"], "p90": bands["p90"],
            "total": {"p10": stats["p10"], "p50": stats["p50"], "p90": stats["p90"]},
            "samples": result["samples"], "seed": result["seed"], "failed": result["failed"]}


class LiveBand(QObject):
    """Computes the band of the latest evaluation in the background.

    Signals
    -------
    ready(dict)
        The band of the latest requested scenario (on the main thread).
    cleared()
        The latest scenario has no band: no uncertainty section, or it cannot be computed.
    """

    ready = Signal(object)
    cleared = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = Worker(self)
        self.generation = 0
        self.applied_generation: int | None = None
        self.error: str | None = None

    def request(self, scenario, computable: bool = True) -> bool:
        """Start the band of ``scenario`` (cancelling any older run); False when it has none."""
        self.generation += 1
        generation = self.generation
        if not computable or not getattr(scenario, "uncertainty", None):
            self.worker.cancel()
            self.applied_generation = generation
            self.cleared.emit()
            return False

        def run(progress, cancelled):
            return compute_band(scenario, progress, lambda: cancelled() or generation != self.generation)

        self.worker.submit("band", run, on_result=lambda band: self._apply(generation, band),
                           on_error=lambda error: self._fail(generation, error))
        return True

    @property
    def busy(self) -> bool:
        return self.worker.busy

    def _apply(self, generation: int, band: dict) -> None:
        if generation != self.generation:
            return  # a newer edit arrived while this ran
        self.applied_generation = generation
        self.error = None
        self.ready.emit(band)

    def _fail(self, generation: int, error: BaseException) -> None:
        if generation != self.generation:
            return
        self.applied_generation = generation
        self.error = str(error)
        self.cleared.emit()

    def shutdown(self) -> bool:
        self.generation += 1
        return self.worker.shutdown()
