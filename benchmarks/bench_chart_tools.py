"""Chart tools benchmark: a hover read-out, the cash / accrual toggle, and edits with the accrual view on.

    python benchmarks/bench_chart_tools.py [--moves 200] [--edits 40]

On the 5-year owned-fleet sample at 1280x800 offscreen, in process (wall and CPU time):

Hover
    One mouse move over the monthly chart to the read-out painted (restore the kept frame,
    draw the cursor line and the text, paint). Target: a few milliseconds, no render.
Toggle
    Cash to accrual and back, to the three cost charts drawn (the accrual evaluation is kept
    per scenario revision, so only the first switch evaluates).
Edit, accrual view on
    A value set (without the debounce) to the four charts drawn, with the cost charts on the
    other basis (one more engine evaluation per edit), against the same edits on the
    scenario's basis. Target: the edit-to-charts budget of benchmarks/bench_gui.py (< 100 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAMPLE = "chat-assistant-owned-h100.tco"


def _line(name: str, wall: list[float], cpu: list[float], note: str = "") -> str:
    return (f"{name:<44} median {1000 * statistics.median(wall):7.1f} ms   "
            f"CPU {1000 * statistics.median(cpu):7.1f} ms   {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication, QWidget

    from tcoapp.gui.main import _settle, build_window, make_application
    from tcoapp.paths import sample_files

    app = make_application(["bench"])
    sample = next(p for p in sample_files() if p.name == SAMPLE)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TCOAPP_DATA_DIR"] = folder
        path = Path(folder) / SAMPLE
        document = sample.read_text(encoding="utf-8")
        import json

        data = json.loads(document)
        data.pop("uncertainty", None)  # the live band's background runs would load the same cores
        path.write_text(json.dumps(data), encoding="utf-8")
        window = build_window([path], restore_layout=False)
        window.resize(1280, 800)
        window.show()
        _settle(app, window)
        window.resize(1280, 800)
        _settle(app, window)
        overview = window.overview
        overview.draw_pending()
        app.processEvents()

        panel = overview.charts["monthly"]
        ax = panel.chart.ax
        ratio = panel.canvas.devicePixelRatioF()
        renders = []
        panel.canvas.mpl_connect("draw_event", lambda event: renders.append(1))
        wall, cpu = [], []
        count = len(panel.data["months"])
        for i in range(args.moves):
            px, py = ax.transData.transform((i % count, ax.get_ylim()[1] * (0.3 + 0.4 * (i % 7) / 7)))
            position = QPointF(px / ratio, (panel.figure.bbox.height - py) / ratio)
            event = QMouseEvent(QEvent.Type.MouseMove, position, panel.canvas.mapToGlobal(position),
                                Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
            c, w = time.process_time(), time.perf_counter()
            QApplication.sendEvent(panel.canvas, event)
            app.processEvents()  # the paint
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
        QApplication.sendEvent(panel.canvas, QEvent(QEvent.Type.Leave))
        print(f"Scenario: {SAMPLE}, window {window.width()}x{window.height()} offscreen, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(_line("Hover: mouse move to read-out painted", wall, cpu, f"({len(renders)} renders in "
                                                                        f"{args.moves} moves)"))

        wall, cpu = [], []
        first = None
        for i in range(10):
            basis = "accrual" if i % 2 == 0 else "cash"
            c, w = time.process_time(), time.perf_counter()
            overview.set_display_basis(basis)
            overview.draw_pending()
            app.processEvents()
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            first = first if first is not None else wall[-1]
        print(_line("Toggle cash <-> accrual, cost charts drawn", wall, cpu,
                    f"(first {1000 * first:.1f} ms; {overview.other_evaluations} accrual evaluation)"))

        box = window.findChild(QWidget, "inference.requests_per_day")
        base = box.value()
        for basis in ("cash", "accrual"):
            overview.set_display_basis(basis)
            overview.draw_pending()
            wall, cpu = [], []
            for i in range(args.edits):
                window.active.set_value("inference.requests_per_day", base * (1 + 0.01 * (i + 1)))
                c, w = time.process_time(), time.perf_counter()
                window.evaluator.evaluate_now()
                overview.draw_pending()
                app.processEvents()
                wall.append(time.perf_counter() - w)
                cpu.append(time.process_time() - c)
            label = "scenario's basis (cash)" if basis == "cash" else "accrual view on"
            print(_line(f"Edit -> four charts drawn, {label}", wall, cpu, "(target < 100 ms)"))
        window.active.undo_stack.setClean()
        window.shutdown_for_tests()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
