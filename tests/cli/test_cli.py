"""``tcoapp-cli`` as a user runs it: in a subprocess, both as ``python -m tcoapp.cli``
and as the installed ``tcoapp-cli`` script next to ``sys.executable``.

Exit status 0 on success, 2 on bad input with ONE line on stderr naming the
file, the field and the rule (never a traceback), 1 on an internal error. A
failed load never changes the file on disk.

Every bad-input case runs in-process through ``main()`` for every command that
reads a scenario (with warnings made errors, so nothing but the one line can
reach stderr); a selection of them, one or more of each kind, also runs in a
subprocess through each entry point. Subprocesses run in parallel, a few
module-scoped batches, to keep the file fast.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report_checks import only_warnings, check_report  # noqa: E402

from tcoapp.cli.main import main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / ("tcoapp-cli.exe" if os.name == "nt" else "tcoapp-cli")
RUNNERS = {"module": [sys.executable, "-m", "tcoapp.cli"], "script": [str(SCRIPT)]}
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

BASE: dict[str, Any] = {
    "format": "tcoapp-scenario",
    "schema_version": 2,
    "model": {"params_billion": 70},
    "inference": {"requests_per_day": 1_000_000},
}

#: A scenario in euros that earns money, so every text line has something to show.
EURO = {
    "format": "tcoapp-scenario", "schema_version": 2, "name": "Euro plan", "currency": "EUR",
    "start_month": "2027-04", "horizon_years": 3,
    "finance": {"usd_to_currency": 0.9, "discount_rate": 0.1},
    "model": {"params_billion": 8},
    "training": {"tokens_trillion": 1, "duration_months": 2, "fixed_cost": 100_000},
    "inference": {"requests_per_day": 5_000_000, "annual_growth": 0.5, "deployment": "cloud", "chip": "h100-sxm"},
    "business": {"revenue_per_request": 0.002},
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TCOAPP_DEBUG"}
    env.update(extra)
    return env


def run_cli(runner: str, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RUNNERS[runner], *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=120, cwd=cwd, env=_env(**env))


def merged(patch: dict, base: dict = BASE) -> dict:
    out = copy.deepcopy(base)

    def put(target, changes):
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                put(target[key], value)
            else:
                target[key] = value
    put(out, patch)
    return out


def without(path: str, base: dict = BASE) -> dict:
    out = copy.deepcopy(base)
    *parents, last = path.split(".")
    target = out
    for key in parents:
        target = target[key]
    del target[last]
    return out


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path


def no_nan(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} in JSON output")
    return json.loads(text, parse_constant=refuse)


# --------------------------------------------------------------------------- bad input

MISSING, FOLDER = object(), object()


@dataclass(frozen=True)
class Bad:
    id: str
    content: Any          # dict (JSON), bytes, str, MISSING or FOLDER
    field: str | None     # the field path the message must name (None: a problem of the whole file)
    rule: str             # a fragment of the rule the message must state
    load: bool = True     # the file itself is bad (not just what it computes), so `chips FILE` refuses it too


BAD = [
    # wrong types
    Bad("type-int-given-text", merged({"horizon_years": "five"}), "horizon_years", "must be an integer"),
    Bad("type-int-given-float", merged({"inference": {"samples": 1.5}}), "inference.samples", "must be an integer"),
    Bad("type-number-given-text", merged({"inference": {"requests_per_day": "lots"}}), "inference.requests_per_day",
        "must be a number"),
    Bad("type-number-given-bool", merged({"facility": {"pue": True}}), "facility.pue", "must be a number"),
    Bad("type-section-given-list", merged({"inference": []}), "inference", "must be an object"),
    Bad("type-text-given-number", merged({"currency": 5}), "currency", "must be text"),
    Bad("type-choice", merged({"inference": {"deployment": "rent"}}), "inference.deployment", '"api"'),
    Bad("type-month", merged({"start_month": "2026-13"}), "start_month", "YYYY-MM"),
    Bad("type-chip-field", merged({"chips": [{"id": "x", "bf16_tflops": "fast"}]}), "chips[0].bf16_tflops",
        "must be a number"),
    # out of range
    Bad("range-discount", merged({"finance": {"discount_rate": -2}}), "finance.discount_rate", "> -1"),
    Bad("range-horizon", merged({"horizon_years": 21}), "horizon_years", "between 1 and 20"),
    Bad("range-utilization", merged({"inference": {"target_utilization": 1.5}}), "inference.target_utilization",
        "must be"),
    Bad("range-negative-traffic", merged({"inference": {"requests_per_day": -1}}), "inference.requests_per_day",
        "must be between 0 and 1 trillion"),
    Bad("range-max-batch", merged({"inference": {"efficiency": {"max_batch": 0}}}),
        "inference.efficiency.max_batch", "must be between 1 and 65,536"),
    Bad("range-active-params", merged({"model": {"active_params_billion": 100}}), "model.active_params_billion",
        "params_billion"),
    Bad("range-non-finite", json.dumps(BASE).replace("1000000", "NaN"), "inference.requests_per_day", "finite"),
    Bad("range-huge-number", json.dumps(BASE).replace("1000000", "1e400"), "inference.requests_per_day",
        "finite"),
    # unknown and missing fields
    Bad("unknown-top-field", merged({"colour": "blue"}), "colour", "unknown field"),
    Bad("unknown-nested-field", merged({"training": {"tokens": 5}}), "training.tokens", "unknown field"),
    Bad("unknown-uncertainty-path", merged({"uncertainty": {"inference.foo": {"dist": "uniform", "low": 0,
                                                                               "high": 1}}}),
        "uncertainty.inference.foo", "not a numeric field"),
    Bad("missing-required", without("model.params_billion"), "model.params_billion", "is required"),
    # chips and precisions
    Bad("unknown-inference-chip", merged({"inference": {"chip": "nochip"}}), "inference.chip",
        "not in the catalog", load=False),
    Bad("unknown-training-chip", merged({"training": {"chip": "nochip"}}), "training.chip", "not in the catalog",
        load=False),
    Bad("precision-inference", merged({"inference": {"chip": "a100-80gb", "precision": "fp4"}}),
        "inference.precision", "no fp4", load=False),
    Bad("precision-training", merged({"training": {"chip": "a100-80gb", "precision": "fp8"}}),
        "training.precision", "no fp8", load=False),
    Bad("precision-training-fp4", merged({"training": {"precision": "fp4"}}), "training.precision",
        '"bf16" or "fp8"'),
    # a model that does not fit (MODEL.md 4.3). 5000B at bf16 does fit on 1024 L4s (10 TB <= 0.7 * 1024 * 24 GB),
    # so the auto case needs a bigger model; with 1 chip per replica 5000B leaves no room for the KV cache.
    Bad("model-does-not-fit", merged({"model": {"params_billion": 20000},
                                      "inference": {"chip": "l4", "precision": "bf16"}}),
        "model.params_billion", "do not fit", load=False),
    Bad("replica-too-small", merged({"model": {"params_billion": 5000},
                                     "inference": {"chip": "l4", "precision": "bf16", "chips_per_replica": 1}}),
        "inference.chips_per_replica", "batch < 1", load=False),
    # a null catalog price or rate that a calculation needs
    Bad("null-price-owned-inference", merged({"inference": {"deployment": "owned", "chip": "l40s"}}),
        "inference.chip_price", "price_usd", load=False),
    Bad("null-rate-cloud-inference", merged({"inference": {"deployment": "cloud", "chip": "mi355x"}}),
        "inference.cloud_rate", "cloud_usd_per_hour", load=False),
    Bad("null-price-owned-training", merged({"training": {"procurement": "owned", "chip": "l40s",
                                                          "tokens_trillion": 1}}),
        "training.chip_price", "price_usd", load=False),
    Bad("null-rate-cloud-training", merged({"training": {"chip": "mi355x", "tokens_trillion": 1}}),
        "training.cloud_rate", "cloud_usd_per_hour", load=False),
    Bad("null-power-owned", merged({"model": {"params_billion": 8},
                                    "inference": {"deployment": "owned", "chip": "tpu-v5e", "precision": "bf16"}}),
        "inference.chip", "tdp_w", load=False),
    # not a scenario file
    Bad("truncated", json.dumps(BASE)[:40], None, "not valid JSON"),
    Bad("not-json", "format = tcoapp-scenario\n", None, "not valid JSON"),
    Bad("empty", b"", None, "not valid JSON"),
    Bad("json-list", "[1, 2]", None, "must be a JSON object"),
    Bad("not-utf8", '{"name": "Coût"}'.encode("latin-1"), None, "not UTF-8"),
    Bad("nested-too-deeply", "[" * 100_000 + "]" * 100_000, None, "not valid JSON"),
    Bad("integer-too-long", '{"horizon_years": ' + "9" * 5000 + "}", None, "not valid JSON"),
    Bad("lone-surrogate", json.dumps(merged({"name": "\ud800"})), "name", "not valid Unicode"),
    Bad("wrong-format", merged({"format": "excel"}), "format", '"tcoapp-scenario"'),
    Bad("no-format", without("format"), "format", '"tcoapp-scenario"'),
    Bad("newer-schema", merged({"schema_version": 3}), "schema_version", "newer"),
    Bad("schema-version-text", merged({"schema_version": "1"}), "schema_version", "integer"),
    Bad("no-schema-version", without("schema_version"), "schema_version", "is required"),
    Bad("missing-file", MISSING, None, "file not found"),
    Bad("directory", FOLDER, None, "folder"),
]


def materialize(case: Bad, folder: Path) -> Path:
    """The path to give the CLI for a case (created under ``folder``)."""
    path = folder / f"{case.id} plan.tco"  # a space in the name, as users have
    if case.content is MISSING:
        return path
    if case.content is FOLDER:
        path.mkdir()
        return path
    return write(folder, path.name, case.content)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every entry of a folder with its bytes and modification time (None for a folder)."""
    return {p.name: None if p.is_dir() else (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def assert_bad_input(code: int, out: str, err: str, case: Bad, path: Path) -> None:
    assert code == 2, f"exit {code}; stderr: {err!r}"
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("tcoapp-cli: "), err
    assert str(path) in err, f"the file is not named: {err!r}"
    if case.field is not None:
        assert re.search(rf"(^|: ){re.escape(case.field)}( = |: )", err), f"field {case.field!r} not named: {err!r}"
    assert case.rule in err, f"rule {case.rule!r} not stated: {err!r}"
    assert "internal error" not in err


#: Bad-input cases also run in a subprocess: (case id, entry point, command).
SUBPROCESS_BAD = [
    ("type-int-given-text", "module", "report"), ("unknown-nested-field", "script", "validate"),
    ("unknown-inference-chip", "script", "report"), ("model-does-not-fit", "module", "report"),
    ("replica-too-small", "script", "report"), ("null-price-owned-inference", "module", "report"),
    ("truncated", "module", "validate"), ("newer-schema", "script", "report"), ("missing-file", "module", "report"),
    ("directory", "script", "validate"),
]
BAD_BY_ID = {case.id: case for case in BAD}


def run_parallel(jobs: list[tuple]) -> list[subprocess.CompletedProcess]:
    """``run_cli(*job)`` for every job, several at a time."""
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda job: run_cli(*job), jobs))


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory):
    """(id, runner, command) -> (path, snapshot before, result, snapshot after), each case in its own folder."""
    root = tmp_path_factory.mktemp("bad")
    prepared = {}
    for key in SUBPROCESS_BAD:
        case = BAD_BY_ID[key[0]]
        folder = root / "-".join(key)
        folder.mkdir()
        path = materialize(case, folder)
        prepared[key] = (folder, path, snapshot(folder))
    results = run_parallel([(runner, command, path, *(["--json"] if command == "report" else []))
                            for (_, runner, command), (_, path, _) in prepared.items()])
    return {key: (path, before, result, snapshot(folder))
            for (key, (folder, path, before)), result in zip(prepared.items(), results)}


def test_every_subprocess_case_exists():
    assert {key[0] for key in SUBPROCESS_BAD} <= set(BAD_BY_ID)
    assert {runner for _, runner, _ in SUBPROCESS_BAD} == set(RUNNERS)


@pytest.mark.parametrize("key", SUBPROCESS_BAD, ids="-".join)
def test_bad_input_in_a_subprocess(key, bad_runs):
    path, before, result, after = bad_runs[key]
    assert_bad_input(result.returncode, result.stdout, result.stderr, BAD_BY_ID[key[0]], path)
    assert after == before, "a failed load changed the folder or the file"


@pytest.mark.filterwarnings("error::RuntimeWarning", "error::UserWarning")
@pytest.mark.parametrize("case, command", [
    pytest.param(case, command, id=f"{case.id}-{command[0]}")
    for case in BAD for command in (["report", "--json"], ["validate"], ["chips"])
    if case.load or command != ["chips"]  # `chips FILE` lists the file's chips; it does not compute the scenario
])
def test_bad_input_in_process_for_every_command(case, command, tmp_path, capsys):
    path = materialize(case, tmp_path)
    before = snapshot(tmp_path)
    code = main([command[0], str(path), *command[1:]])
    captured = capsys.readouterr()
    assert_bad_input(code, captured.out, captured.err, case, path)
    assert snapshot(tmp_path) == before


def test_read_only_files_are_read_and_left_alone(tmp_path, capsys):
    good = write(tmp_path, "good.tco", EURO)
    bad = write(tmp_path, "bad.tco", merged({"colour": "blue"}))
    for path in (good, bad):
        path.chmod(0o444)
    before = snapshot(tmp_path)
    assert main(["report", str(good), "--json"]) == 0
    assert main(["validate", str(bad)]) == 2
    capsys.readouterr()
    assert snapshot(tmp_path) == before
    assert {p.stat().st_mode & 0o777 for p in (good, bad)} == {0o444}


# --------------------------------------------------------------------------- success

SUCCESS_COMMANDS = {
    "json": ["report", "{euro}", "--json"], "text": ["report", "{euro}"], "validate": ["validate", "{euro}"],
    "chips": ["chips"], "chips-json": ["chips", "--json"],
}


@pytest.fixture(scope="module")
def euro_file(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("euro"), "euro plan.tco", EURO)


@pytest.fixture(scope="module")
def runs(euro_file) -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """(runner, command name) -> result: every command through ``-m``, the reports through the script too."""
    before = euro_file.read_bytes()
    keys = [("module", name) for name in SUCCESS_COMMANDS] + [("script", "json"), ("script", "text")]
    jobs = [(runner, *(arg.format(euro=euro_file) for arg in SUCCESS_COMMANDS[name])) for runner, name in keys]
    results = dict(zip(keys, run_parallel(jobs)))
    assert euro_file.read_bytes() == before
    return results


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    assert only_warnings(result.stderr), result.stderr
    return result.stdout


def test_the_script_is_installed_next_to_python():
    assert SCRIPT.exists(), f"tcoapp-cli is not installed next to {sys.executable} (pip install -e .)"


@pytest.mark.parametrize("runner", RUNNERS)
def test_report_json(runner, runs):
    report = no_nan(ok(runs[(runner, "json")]))
    check_report(report, "cloud", start_month="2027-04", horizon_years=3, discount_rate=0.1)
    assert report["scenario"] == "Euro plan" and report["currency"] == "EUR"
    assert report["months"][0] == "2027-04" and report["months"][-1] == "2030-03"
    assert report["summary"]["revenue_total"] > 0


@pytest.mark.parametrize("runner", RUNNERS)
def test_report_text(runner, runs):
    out = ok(runs[(runner, "text")])
    report = no_nan(ok(runs[(runner, "json")]))
    summary = report["summary"]
    assert out.startswith("Euro plan")
    assert "EUR" in out and "USD" not in out
    # money in the scenario's currency, the same figure as the JSON
    for label, key in (("Lifetime cost", "total_cost"), ("Training cost", "training_cost"),
                       ("Revenue", "revenue_total")):
        match = re.search(rf"^\s*{label}\s+EUR (-?[\d,]+)$", out, re.MULTILINE)
        assert match, f"{label} not shown in EUR:\n{out}"
        assert int(match.group(1).replace(",", "")) == round(summary[key])
    match = re.search(r"Inference cost per request\s+EUR (0\.\d+)$", out, re.MULTILINE)
    assert match and float(match.group(1)) == pytest.approx(summary["cost_per_request"], rel=1e-3), out
    # shares as percentages
    match = re.search(r"Inference share of lifetime cost\s+([\d.]+) %", out)
    assert match and float(match.group(1)) == pytest.approx(100 * summary["inference_share"], abs=0.051)
    # crossover and payback as calendar months
    for label, key in (("Inference overtakes training", "crossover_month"), ("Payback", "payback_month")):
        m = summary[key]
        assert m is not None, key
        year, month = report["months"][int(m)].split("-")
        assert re.search(rf"{label}\s+{MONTH_NAMES[int(month) - 1]} {year} \(month {int(m)}\)", out), (label, out)
    # a year-by-year table, one row a year
    assert len(re.findall(r"^\s+[123]\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+$", out, re.MULTILINE)) == 3
    assert not re.search(r"\b(nan|inf)\b", out, re.IGNORECASE)
    assert not re.search(r"\de[-+]\d", out), "a number in scientific notation"


def test_report_text_says_when_a_month_is_not_reached(tmp_path, capsys):
    path = write(tmp_path, "never.tco", merged({"business": {"revenue_per_request": 0}}))
    assert main(["report", str(path)]) == 0
    assert re.search(r"Payback\s+not within the horizon", capsys.readouterr().out)


def test_validate(runs, euro_file):
    assert ok(runs[("module", "validate")]).strip() == f"{euro_file}: valid"


def test_chips_table_and_json(runs):
    from tcoapp.scenario.catalog import load_catalog

    ids = list(load_catalog())
    rows = ok(runs[("module", "chips")]).splitlines()
    assert any(line.split()[:2] == ["id", "name"] for line in rows), rows[:3]
    assert [line.split()[0] for line in rows if line.split() and line.split()[0] in ids] == ids
    document = no_nan(ok(runs[("module", "chips-json")]))
    assert document["format"] == "tcoapp-chips" and document["version"] == 1
    assert [chip["id"] for chip in document["chips"]] == ids
    for chip in document["chips"]:
        assert {"bf16_tflops", "fp8_tflops", "fp4_tflops", "memory_gb", "bandwidth_tbs", "tdp_w", "price_usd",
                "cloud_usd_per_hour"} <= set(chip)


def test_chips_with_a_scenario_lists_its_own_chips(tmp_path, capsys):
    own = {"id": "my-chip", "name": "My chip", "vendor": "Me", "bf16_tflops": 100, "fp8_tflops": None,
           "fp4_tflops": None, "memory_gb": 40, "bandwidth_tbs": 1, "tdp_w": None, "price_usd": 5000,
           "cloud_usd_per_hour": None, "source": "test", "as_of": "2026-01"}
    path = write(tmp_path, "own.tco", merged({"chips": [own]}))
    assert main(["chips", str(path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("my-chip"))
    assert "My chip" in line and "-" in line
    assert main(["chips", str(path), "--json"]) == 0
    document = no_nan(capsys.readouterr().out)
    assert document["chips"][-1]["id"] == "my-chip" and document["chips"][-1]["tdp_w"] is None


def test_version():
    version = run_cli("module", "--version")
    assert version.returncode == 0 and version.stdout.startswith("tcoapp ")


@pytest.mark.parametrize("args", [[], ["report"], ["frobnicate"], ["report", "x.tco", "--colour"]])
def test_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith("--help)\n") and err.count("\n") == 1 and "Traceback" not in err  # one line


def test_a_non_utf8_console_still_gets_the_report(euro_file):
    result = run_cli("module", "report", euro_file, PYTHONIOENCODING="ascii")
    assert "Lifetime cost" in ok(result)


# --------------------------------------------------------------------------- internal errors

BROKEN_ENGINE = (
    "import sys\n"
    "import tcoapp.scenario.batch as batch\n"
    "def boom(*args, **kwargs):\n"
    "    raise RuntimeError('engine exploded')\n"
    "batch.evaluate = boom\n"
    "from tcoapp.cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_an_internal_error_exits_1_with_one_line(euro_file):
    result = subprocess.run([sys.executable, "-c", BROKEN_ENGINE, "report", str(euro_file)], capture_output=True,
                            text=True, timeout=120, env=_env())
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "internal error" in result.stderr and "engine exploded" in result.stderr


def test_tcoapp_debug_shows_the_traceback_of_an_internal_error(euro_file):
    result = subprocess.run([sys.executable, "-c", BROKEN_ENGINE, "report", str(euro_file)], capture_output=True,
                            text=True, timeout=120, env=_env(TCOAPP_DEBUG="1"))
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "RuntimeError: engine exploded" in result.stderr


def test_an_internal_error_in_process(euro_file, monkeypatch, capsys):
    import tcoapp.scenario.batch as batch

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.delenv("TCOAPP_DEBUG", raising=False)
    monkeypatch.setattr(batch, "evaluate", boom)
    assert main(["report", str(euro_file), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "internal error" in captured.err


def test_a_version_1_file_reports_with_one_note_about_the_estimate(tmp_path):
    import subprocess
    import sys as _sys
    from tcoapp.paths import sample_files  # noqa: F401

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "v1" / "full.tco"
    out = subprocess.run([_sys.executable, "-m", "tcoapp.cli", "report", str(fixture), "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0
    notes = [line for line in out.stderr.splitlines() if line.startswith("tcoapp-cli: note:")]
    assert len(notes) == 1 and "throughput estimate changed" in notes[0]
    import json as _json
    assert _json.loads(out.stdout)["summary"]["total_cost"] > 0
