"""What every ``tcoapp-cli`` command shares: exit codes, the bad-input error, loading and JSON output.

The commands (``main``, ``solver_commands``, ``programme_commands``, ``serving_commands``,
``chips_command``) import from here and never from one another, so there is no import circle.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Bad command-line input that is not a scenario error (a bad option value, an unwritable path)."""


#: Notes and warnings for the user (an upgraded file version; zero API prices, ...), printed on stderr
#: as ``tcoapp-cli: note: ...`` / ``tcoapp-cli: warning: ...`` when the command succeeds, so that an
#: error stays the one line it is.
NOTES: list[str] = []


def load_file(path: str):
    """The scenario of a file; notes about an upgraded file version are kept for stderr (once per file)."""
    from ..scenario.files import load_scenario_with_notices

    scenario, notices = load_scenario_with_notices(Path(path))
    _add(f"note: {path}: {note}" for note in notices)
    return scenario


def warn_about(scenario, path: str, compared_deployments=()) -> None:
    """Keep the scenario's warnings (zero API prices, stale catalog prices, uncalibrated chips) for stderr."""
    from ..scenario.warnings import scenario_warnings

    _add(f"warning: {path}: {w}" for w in scenario_warnings(scenario, compared_deployments=compared_deployments))


def _add(lines) -> None:
    for line in lines:
        if line not in NOTES:
            NOTES.append(line)


def evaluate_file(path: str):
    """The scenario of a file and its engine result (a bad one raises, naming the file and field)."""
    from ..scenario.batch import evaluate

    scenario = load_file(path)
    result = evaluate(scenario, source=path)
    warn_about(scenario, path)
    return scenario, result


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
