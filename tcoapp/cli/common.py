"""What every ``tcoapp-cli`` command shares: exit codes, the bad-input error, loading and JSON output.

The commands (``main``, ``solver_commands``, ``programme_commands``, ``serving_commands``,
``chips_command``) import from here and never from one another, so there is no import circle.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_NO_SOLUTION = 0, 1, 2, 3

EXIT_STATUS_HELP = ("exit status: 0 success, 2 bad input (one line on stderr), 3 solve found no solution, "
                    "1 internal error")


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    import argparse

    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number >= 1")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number >= 0 (a random seed)."""
    import argparse

    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number >= 0")
    return value


def _int(text: str) -> int:
    import argparse

    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


class BadInput(Exception):
    """Bad command-line input that is not a scenario error (a bad option value, an unwritable path)."""


#: Notes and warnings for the user (an upgraded file version; zero API prices, ...), printed on stderr
#: as ``tcoapp-cli: note: ...`` / ``tcoapp-cli: warning: ...`` when the command succeeds, so that an
#: error stays the one line it is.
NOTES: list[str] = []


def check_not_the_input(output: str, source: str, option: str = "-o") -> None:
    """Refuse an export target that is the input file itself (same file, by a link or another spelling):
    the export would replace the user's scenario or programme with a workbook."""
    try:
        same = os.path.samefile(output, source)
    except OSError:
        return  # a new file (or an unreadable input, reported when it is read)
    if same:
        raise BadInput(f"{option} {output}: is the input file {source}; exporting there would replace it, "
                       "give another name")


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
    warn_about_result(result, path)
    return scenario, result


def warn_about_result(result, path: str, workloads=None) -> None:
    """Keep warnings for figures too large for double precision (they show as null) for stderr.

    ``workloads``: for a programme result, its workload names (each workload's figures are checked too).
    """
    from ..scenario.warnings import result_warnings

    _add(f"warning: {path}: {w}" for w in result_warnings(result))
    for w, name in enumerate(workloads or ()):
        _add(f"warning: {path} [{name}]: {x}" for x in result_warnings(result.workloads, w))


def print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
