"""Editor benchmark: the CPU time the scenario editor spends following one edit.

    python benchmarks/bench_editor.py [--edits 200]

From ``document.set_value`` to the editor's rows refreshed (values, unit and
range text, changed-from-default marks), with the real window offscreen at
1280x800 on the chat-assistant sample; the evaluation and the charts are not
included (``bench_gui.py`` measures those). Process time, not wall time, so the
figure hardly moves when other processes load the machine. Each edit alternates
a field between two values, one of them the schema default, so every edit also
flips that field's mark. Target: a small part of the 50 ms edit-to-KPI budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from tcoapp.gui import create_main_window
    from tcoapp.paths import sample_files

    path = next(p for p in sample_files() if p.name == "chat-assistant-owned-h100.tco")
    window = create_main_window(path)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    document, editor = window.active, window.editor
    # only the editor follows: the evaluator and views listen too, so time editor.refresh itself
    values = (1.3, 1.45)  # facility.pue: the default, then a change
    times = []
    for i in range(args.edits):
        document._scenario = document.scenario.model_copy(
            update={"facility": document.scenario.facility.model_copy(update={"pue": values[i % 2]})})
        start = time.process_time()
        editor.refresh()
        times.append((time.process_time() - start) * 1000)
    times.sort()
    print(f"Editor refresh after one edit (CPU)   median {statistics.median(times):6.2f} ms   "
          f"p90 {times[int(0.9 * len(times))]:6.2f} ms   ({args.edits} edits, {len(editor.rows)} fields)")
    for document in window.documents:
        document.undo_stack.setClean()
    window.shutdown_for_tests()
    window.close()


if __name__ == "__main__":
    main()
