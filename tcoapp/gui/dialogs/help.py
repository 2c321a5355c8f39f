"""Help: the methodology (the user's copy of the model), the programmes page, getting started and About.

Below the views in the GUI's layers, so the scenario window (``tcoapp.gui.app``) and the programme
window (``tcoapp.gui.views.programme``) open the same pages; the first-start offer, which reads the
window settings, is in :mod:`tcoapp.gui.app.help`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import tcoapp
from tcoapp.paths import resource_file

FALLBACK_METHODOLOGY = """# Methodology

The methodology document was not found in this installation. In short:

* **Time grid.** Months `m = 0 .. 12 × horizon − 1`; 730 hours and 365/12 days a month;
  a yearly rate `r` applies as `(1 + r)^(m/12)`.
* **Training.** Compute `C = 6 × active parameters × tokens` unless given, times
  `1 + experiment overhead`; chip-hours `C / (peak FLOP/s × MFU × 3600)`, spread over the run's
  months and priced at the cloud rate or an amortised owned rate. Refresh runs repeat after launch.
* **Inference.** Requests per day grow from launch, capped by the ceiling; tokens are
  requests × samples × (input + reasoning + output). API: tokens × prices. Cloud and owned:
  replicas sized for the peak from a roofline throughput estimate, rented by the hour or bought in
  whole servers that live `life_years`, with energy, colocation and maintenance.
* **Outputs.** Lifetime cost, NPV of cash flows, inference share, the month inference overtakes
  training (cumulative), cost per million tokens and per request, peak chips, payback and IRR.
"""


FALLBACK_PROGRAMMES = """# Programmes

The programmes page was not found in this installation. In short: a programme puts several
workloads on one calendar with one set of finance and facility assumptions. Each figure of the
programme is computed on its monthly series, the sums over the workloads; owned workloads on the
same chip at the same price share servers, and what those servers cost in a month no workload needs
them is the programme's own line, the **idle owned capacity**.
"""


def _packaged_doc(name: str) -> Path:
    """``docs/<name>`` as installed: the package ``tcoapp.docs`` (pyproject maps it to docs/)."""
    from importlib import resources

    try:
        return Path(str(resources.files("tcoapp.docs").joinpath(name)))
    except ModuleNotFoundError:  # an install made before docs were packaged
        return Path(tcoapp.__file__).resolve().parent / "docs" / name


def doc_path(name: str) -> Path | None:
    """A page of the user's docs (``methodology.md``): bundled with the resources, else the source tree's
    docs folder."""
    candidates = [_packaged_doc(name), resource_file(name), Path(tcoapp.__file__).resolve().parents[1] / "docs" / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def methodology_path() -> Path | None:
    """The methodology document: bundled with the resources, else the source tree's docs folder."""
    return doc_path("methodology.md")


def methodology_markdown() -> str:
    path = methodology_path()
    if path is None:
        return FALLBACK_METHODOLOGY
    return path.read_text(encoding="utf-8")


def programmes_markdown() -> str:
    """``docs/programmes.md``: programme files, shared fleets, the idle owned capacity and the figures."""
    path = doc_path("programmes.md")
    if path is None:
        return FALLBACK_PROGRAMMES
    return path.read_text(encoding="utf-8")


def catalog_date() -> str:
    """The chip catalog's as-of date."""
    import json

    try:
        return str(json.loads(resource_file("chips.json").read_text(encoding="utf-8")).get("as_of", "unknown"))
    except (OSError, ValueError):
        return "unknown"


def about_text() -> str:
    """About tcoapp: version, what it does, the chip catalog's date, Python and Qt."""
    import platform

    from PySide6 import __version__ as pyside_version

    return (f"<h3>tcoapp {tcoapp.__version__}</h3>"
            "<p>The lifetime cost of an AI programme: training against years of inference, "
            "on chosen chips, bought, rented or paid per token.</p>"
            f"<p>Chip catalog as of <b>{catalog_date()}</b>.</p>"
            f"<p>Python {platform.python_version()}, Qt for Python {pyside_version}.</p>")


class PageDialog(QDialog):
    """A help page, rendered from Markdown (``name``: the dialog is ``dialog.<name>``, its text ``<name>.text``)."""

    def __init__(self, name: str, title: str, markdown: str, parent: QWidget | None = None,
                 size: tuple[int, int] = (820, 640)):
        super().__init__(parent)
        self.setObjectName(f"dialog.{name}")
        self.setWindowTitle(f"{title} — tcoapp")
        self.resize(*size)
        self.browser = QTextBrowser()
        self.browser.setObjectName(f"{name}.text")
        self.browser.setOpenExternalLinks(True)
        pages = doc_path("methodology.md")
        if pages is not None:  # the pages' pictures (screenshots/...) are found beside them
            self.browser.setSearchPaths([str(pages.parent)])
        self.browser.setMarkdown(markdown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


class MethodologyDialog(PageDialog):
    """The methodology, rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("methodology", "Methodology", methodology_markdown(), parent)


class ProgrammesDialog(PageDialog):
    """The programmes page (``docs/programmes.md``), rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("programmes", "Programmes", programmes_markdown(), parent)


def show_page(parent: QWidget | None, dialog: QDialog, title: str) -> str:
    """Show a help page through :func:`~tcoapp.gui.dialogs.questions.ask` (tests answer it); the answer."""
    from tcoapp.gui.dialogs.questions import Question, ask

    try:
        return ask(parent, Question("dialog", title, options={"dialog": dialog}))
    finally:
        dialog.deleteLater()


def show_methodology(parent: QWidget | None) -> str:
    return show_page(parent, MethodologyDialog(parent), "Methodology")


def show_programmes(parent: QWidget | None) -> str:
    return show_page(parent, ProgrammesDialog(parent), "Programmes")


def show_about(parent: QWidget | None) -> str:
    from tcoapp.gui.dialogs.questions import Question, ask

    return ask(parent, Question("info", "About tcoapp", about_text()))


GETTING_STARTED = """# Getting started

tcoapp works out what an AI model costs over its life: training it once, then serving it for years,
on chips you rent, chips you buy, or an API you pay per token. Six steps are enough to find your way.

## 1. Open a sample

**File > New from template** lists worked examples (a chat assistant on owned chips, a model served in
the cloud, one bought as an API, a long-thinking reasoning model, …). A sample opens as an *untitled
copy*: change it freely, and save it under your own name with **File > Save As…**. The app's own
samples are never overwritten.

## 2. Change an input

The editor on the left holds every input in sections you can fold, with a filter box to find one. Type a new value (for example the requests per day, or the demand growth a year) and press
Enter. Everything recomputes at once. A value the model cannot take is refused with a message that
names the field and its rule. **Edit > Undo** (Ctrl+Z) takes any change back.

## 3. Read the KPIs

The **Overview** shows the key figures as cards: lifetime cost, the NPV of the costs, the share spent
on inference, the month inference overtakes training, the peak number of chips, the cost per million
tokens and per request, how long an answer takes, and (with revenue) the payback month and IRR. The
charts below them show how the cost builds up month by month.

## 4. Click a KPI to see why

Click any KPI card to open **why this number**: its formula in words, the inputs it depends on with
their current values, and a button to see which of them move it most (the tornado).

## 5. Compare deployments

**Tools > Compare deployments** shows the same scenario as API, cloud and owned, best first. Open
several scenarios and the **Compare** view puts them side by side, with differences against the base
you choose. **Tools > Break-even against another deployment…** answers questions such as "at what
cloud rate would renting cost what owning does?"; **Tools > Sweep** draws a metric over a range of
one input.

## 6. Export the workbook for finance

**File > Export > Excel workbook…** writes the whole model as a workbook with live formulas, so
finance can check every figure and try their own inputs. In the **Compare** view, **Export
workbook…** writes the comparison with its differences as formulas.

**Help > Methodology** explains every formula in full.
"""


class GettingStartedDialog(PageDialog):
    """The getting-started page, rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("getting_started", "Getting started", GETTING_STARTED, parent, size=(720, 640))


def show_getting_started(parent: QWidget | None) -> str:
    """Show the page (through :func:`~tcoapp.gui.dialogs.questions.ask`, so tests answer it); the answer."""
    return show_page(parent, GettingStartedDialog(parent), "Getting started")
