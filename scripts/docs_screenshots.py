"""Make every screenshot in the README and docs/ with the app's own ``tcoapp --screenshot``.

    python scripts/docs_screenshots.py            # rewrite the images in docs/
    python scripts/docs_screenshots.py --out DIR  # write them into DIR instead (what the tests do)
    python scripts/docs_screenshots.py --list     # print the commands

:data:`SHOTS` is the one list of the images and the arguments that make them;
``tests/gui/test_docs_screenshots.py`` runs it in CI and checks that every PNG
the README and docs show is on it, so no picture in the docs is made by hand.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (image path relative to the repository, arguments of ``tcoapp`` after ``--screenshot OUT``).
SHOTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("docs/screenshots/overview.png", ("samples/chat-assistant-owned-h100.tco",)),
    ("docs/screenshots/overview-dark.png", ("samples/chat-assistant-owned-h100.tco", "--theme", "dark")),
    ("docs/screenshots/compare.png", ("samples/deployment-api.tco", "samples/deployment-cloud.tco",
                                      "samples/deployment-owned.tco", "--view", "compare")),
    ("docs/screenshots/sensitivity.png", ("samples/chat-assistant-owned-h100.tco", "--view", "sensitivity")),
    ("docs/screenshots/montecarlo.png", ("samples/chat-assistant-owned-h100.tco", "--view", "montecarlo")),
    ("docs/images/gui-compare-four.png", ("samples/deployment-api.tco", "samples/deployment-cloud.tco",
                                          "samples/deployment-owned.tco", "samples/chat-assistant-owned-h100.tco",
                                          "--view", "compare")),
    ("docs/images/gui-editor-filter.png", ("samples/chat-assistant-owned-h100.tco", "--filter", "growth")),
    ("docs/images/gui-why.png", ("samples/chat-assistant-owned-h100.tco", "--view", "why")),
    ("docs/screenshots/programme-overview.png", ("samples/company-programme.tco",)),
    ("docs/screenshots/programme-budget.png", ("samples/company-programme.tco", "--view", "budget")),
    ("docs/screenshots/programme-idle.png", ("samples/company-programme.tco", "--view", "idle")),
    ("docs/screenshots/programme-share.png", ("samples/company-programme.tco", "--view", "share")),
)


def command(image: str, args: tuple[str, ...], out: Path) -> list[str]:
    return [sys.executable, "-m", "tcoapp.gui.main", "--screenshot", str(out), *args]


def make(out_dir: Path | None, *, env: dict | None = None, timeout: float = 180) -> list[tuple[str, Path, str]]:
    """Run every shot; returns ``(image, written path, stderr)`` per shot. Raises on a failed run."""
    env = dict(os.environ if env is None else env)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = []
    for image, args in SHOTS:
        out = ROOT / image if out_dir is None else out_dir / image
        out.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(command(image, args, out), cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0 or not out.is_file():
            raise RuntimeError(f"{image}: tcoapp --screenshot failed (exit {result.returncode}): {result.stderr}")
        done.append((image, out, result.stderr))
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the images under this folder instead of the repository")
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    args = parser.parse_args(argv)
    if args.list:
        for image, shot_args in SHOTS:
            print(shlex.join(["tcoapp", "--screenshot", image, *shot_args]))
        return 0
    for image, out, _ in make(args.out):
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
