"""Scenario files: round trips, old versions, bad files, and saves that never lose work."""

from __future__ import annotations

import copy
import json
import os
import stat
import time

import pytest
from hypothesis import given, settings, strategies as st

from tcoapp.paths import sample_files
from tcoapp.scenario import (
    CURRENT_SCHEMA_VERSION, MIGRATIONS, ScenarioError, check_references, load_scenario, save_scenario,
    scenario_from_dict, scenario_to_dict, with_values,
)
from tcoapp.scenario import files


def _contains(document, expected):
    """Whether every value of ``expected`` appears, at the same place, in ``document``."""
    if isinstance(expected, dict):
        return isinstance(document, dict) and all(
            key in document and _contains(document[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(document, list) and len(document) == len(expected) and all(
            _contains(item, value) for item, value in zip(document, expected))
    return document == expected


# --- round trips -----------------------------------------------------------------------------------------------

def test_full_dict_round_trips_unchanged(full_fixture):
    document = json.loads(full_fixture.read_text(encoding="utf-8"))
    assert scenario_to_dict(scenario_from_dict(document)) == document


def test_to_dict_writes_every_field_in_a_stable_order(minimal_data):
    document = scenario_to_dict(scenario_from_dict(minimal_data))
    assert list(document)[:2] == ["format", "schema_version"]
    assert document["schema_version"] == CURRENT_SCHEMA_VERSION
    assert document["inference"]["chips_per_replica"] is None
    assert document["inference"]["efficiency"]["max_batch"] == 256
    assert list(document) == list(scenario_to_dict(scenario_from_dict(document)))
    json.dumps(document, allow_nan=False)  # JSON-ready


def test_save_then_load_gives_an_equal_scenario(tmp_path, full_fixture):
    scenario = load_scenario(full_fixture)
    target = tmp_path / "copy.tco"
    save_scenario(scenario, target)
    assert load_scenario(target) == scenario
    first_bytes = target.read_bytes()
    save_scenario(load_scenario(target), target)
    assert target.read_bytes() == first_bytes


def test_saved_text_is_indented_utf8_with_a_final_newline(tmp_path, minimal_data):
    minimal_data["name"] = "Coût café ✓"
    target = tmp_path / "plan.tco"
    save_scenario(scenario_from_dict(minimal_data), target)
    text = target.read_bytes().decode("utf-8")
    assert "Coût café ✓" in text
    assert text.startswith('{\n  "format": "tcoapp-scenario",\n  "schema_version": 2,\n')
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_from_dict_leaves_its_input_alone(full_fixture):
    document = json.loads(full_fixture.read_text(encoding="utf-8"))
    untouched = copy.deepcopy(document)
    scenario_from_dict(document)
    assert document == untouched


@settings(max_examples=30, deadline=None)
@given(
    requests=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    growth=st.floats(min_value=-0.99, max_value=10, allow_nan=False),
    samples=st.integers(min_value=1, max_value=64),
    load_factor=st.floats(min_value=0, max_value=1),
)
def test_any_valid_values_survive_a_round_trip(requests, growth, samples, load_factor):
    base = scenario_from_dict({"format": "tcoapp-scenario", "schema_version": 1, "model": {"params_billion": 7},
                               "inference": {"requests_per_day": 1}})
    scenario = with_values(base, {"inference.requests_per_day": requests, "inference.annual_growth": growth,
                                  "inference.samples": samples, "facility.power_load_factor": load_factor})
    text = json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False)
    assert scenario_from_dict(json.loads(text)) == scenario


# --- files written by released versions ------------------------------------------------------------------------

def test_version_1_fixture_always_loads_with_its_values(v1_fixture):
    """Keep tests/fixtures/v1/full.tco for good: a version-1 file must always open, with the same values."""
    scenario = load_scenario(v1_fixture)
    document = json.loads(v1_fixture.read_text(encoding="utf-8"))
    assert _contains(scenario_to_dict(scenario), {key: value for key, value in document.items()
                                                  if key != "schema_version"})
    assert scenario.inference.deployment == "owned" and scenario.finance.basis == "accrual"
    assert scenario.chips[0].id == "acme-x1" and scenario.chips[0].fp4_tflops is None
    assert scenario.uncertainty["training.tokens_trillion"].dist == "lognormal"
    check_references(scenario, {chip.id: chip for chip in scenario.chips})
    # version 2's new fields take the defaults that keep version 1's inputs
    assert scenario.training.start_month == 0 and scenario.inference.end_month is None
    assert scenario.inference.cached_input_fraction == 0 and scenario.model.experts is None
    assert scenario.inference.min_tokens_per_s_per_user is None and scenario.inference.efficiency.serving is None


def test_version_1_file_computes_under_version_2_and_says_so_once(v1_fixture):
    from tcoapp.scenario.batch import evaluate
    from tcoapp.scenario.files import load_scenario_with_notices

    scenario, notices = load_scenario_with_notices(v1_fixture)
    assert len(notices) == 1 and "throughput estimate" in notices[0]
    result = evaluate(scenario)
    assert result.summary["total_cost"][0] > 0
    # saved again, it is a version-2 file with no notice
    current, notices = load_scenario_with_notices(v1_fixture.parent.parent / "v2" / "full.tco")
    assert notices == [] and current.schema_version == 2


def test_version_2_fixture_always_loads_with_its_values(full_fixture):
    """Keep tests/fixtures/v2/full.tco for good, as v1's."""
    scenario = load_scenario(full_fixture)
    assert scenario.model.experts == 16 and scenario.model.experts_per_token == 2
    assert scenario.training.start_month == 1 and scenario.inference.end_month == 40
    assert scenario.inference.cached_input_fraction == 0.25 and scenario.inference.api_price_cached_input == 0.3
    assert scenario.inference.min_tokens_per_s_per_user == 12.0 and scenario.inference.efficiency.serving == 0.6
    assert scenario.chips[0].serving_efficiency == 0.8


@pytest.mark.parametrize("sample", sample_files(), ids=lambda path: path.name)
def test_bundled_samples_load(sample):
    load_scenario(sample)


# --- schema versions and migrations ----------------------------------------------------------------------------

def test_every_older_version_has_a_migration():
    assert all(version in MIGRATIONS for version in range(1, CURRENT_SCHEMA_VERSION))


def test_migrations_run_step_by_step_before_validation(monkeypatch, minimal_data):
    """A pretend version 3 where version 1 gave demand per month and version 2 renamed the notes."""
    steps = []

    def per_month_to_per_day(document):
        steps.append(1)
        inference = document["inference"]
        inference["requests_per_day"] = inference.pop("requests_per_month") / 30
        return document

    def rename_description(document):
        steps.append(2)
        document["notes"] = document.pop("description")
        return document

    monkeypatch.setattr(files, "CURRENT_SCHEMA_VERSION", 3)
    monkeypatch.setitem(MIGRATIONS, 1, per_month_to_per_day)
    monkeypatch.setitem(MIGRATIONS, 2, rename_description)
    minimal_data["inference"] = {"requests_per_month": 3000}
    minimal_data["description"] = "old notes"
    original = copy.deepcopy(minimal_data)

    scenario = scenario_from_dict(minimal_data)

    assert steps == [1, 2]
    assert scenario.inference.requests_per_day == 100
    assert scenario.notes == "old notes"
    assert scenario.schema_version == 3
    assert minimal_data == original

    steps.clear()
    minimal_data = {**scenario_to_dict(scenario)}
    assert scenario_from_dict(minimal_data).schema_version == 3
    assert steps == []  # a current file is not migrated


@pytest.mark.parametrize(("version", "rule_words"), [
    (CURRENT_SCHEMA_VERSION + 2, f"newer schema_version {CURRENT_SCHEMA_VERSION + 2} than this app reads "
                                 f"({CURRENT_SCHEMA_VERSION}); update tcoapp"),
    (0, "must be >= 1"),
    ("1", "must be an integer"),
    (1.0, "must be an integer"),
    (True, "must be an integer"),
])
def test_unreadable_schema_versions_are_refused(minimal_data, version, rule_words):
    minimal_data["schema_version"] = version
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(minimal_data, source="plan.tco")
    assert caught.value.path == "schema_version" and caught.value.rule == rule_words


def test_missing_schema_version_is_refused(minimal_data):
    del minimal_data["schema_version"]
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(minimal_data)
    assert caught.value.path == "schema_version" and caught.value.rule == "is required"


@pytest.mark.parametrize("format_value", ["tcoapp-chip-catalog", None])
def test_other_formats_are_refused(minimal_data, format_value):
    if format_value is None:
        del minimal_data["format"]
    else:
        minimal_data["format"] = format_value
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(minimal_data)
    assert caught.value.path == "format" and "not a tcoapp scenario file" in caught.value.rule


# --- files that cannot be loaded -------------------------------------------------------------------------------

BAD_FILES = [
    ("truncated JSON", '{"format": "tcoapp-scenario", "schema_version": 1, "model": {'.encode(),
     "not valid JSON at line 1 column"),
    ("not JSON", b"format = tcoapp-scenario\n", "not valid JSON at line 1 column 1"),
    ("empty", b"", "not valid JSON at line 1 column 1"),
    ("JSON list at top level", b'[{"format": "tcoapp-scenario"}]\n', "must be a JSON object {...}, not a list"),
    ("JSON text at top level", b'"tcoapp-scenario"\n', "must be a JSON object"),
    ("not UTF-8", '{"name": "Coût"}'.encode("latin-1"), "not UTF-8 text"),
    ("newer version", b'{"format": "tcoapp-scenario", "schema_version": 99}', "newer schema_version 99"),
    ("missing params_billion",
     b'{"format": "tcoapp-scenario", "schema_version": 1, "model": {}, "inference": {"requests_per_day": 1}}',
     "is required"),
]


@pytest.mark.parametrize(("content", "rule_words"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_reported_and_left_untouched(tmp_path, content, rule_words):
    target = tmp_path / "bad.tco"
    target.write_bytes(content)
    before = os.stat(target)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(target)
    message = str(caught.value)
    assert caught.value.file == str(target)
    assert rule_words in caught.value.rule
    assert message.startswith(f"{target}: ") and "\n" not in message
    assert target.read_bytes() == content and os.stat(target).st_mtime_ns == before.st_mtime_ns
    assert os.listdir(tmp_path) == ["bad.tco"]


def test_json_error_names_line_and_column(tmp_path):
    target = tmp_path / "bad.tco"
    target.write_text('{\n  "format": "tcoapp-scenario",\n  "name": "x",,\n}\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid JSON at line 3 column 15: Expecting property name"):
        load_scenario(target)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nowhere.tco")
    assert caught.value.rule == "file not found" and caught.value.path == ""


def test_folder_is_reported(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path)
    assert caught.value.rule == "is a folder, not a file" and caught.value.file == str(tmp_path)


def test_utf8_byte_order_mark_is_accepted(tmp_path, minimal_data):
    target = tmp_path / "notepad.tco"
    target.write_bytes(b"\xef\xbb\xbf" + json.dumps(minimal_data).encode("utf-8"))
    assert load_scenario(target).model.params_billion == 70


def test_field_error_in_a_file_names_the_file(tmp_path, minimal_data):
    minimal_data["inference"]["requests_per_day"] = "lots"
    target = tmp_path / "plan.tco"
    target.write_text(json.dumps(minimal_data), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(target)
    assert str(caught.value) == (f"{target}: inference.requests_per_day = 'lots': must be a number, got 'lots'")


# --- saves that fail -------------------------------------------------------------------------------------------

@pytest.fixture
def existing_file(tmp_path):
    """A file already on disk that a failed save must leave exactly as it was."""
    target = tmp_path / "plan.tco"
    target.write_bytes(b'{"the": "original bytes"}\n')
    return target


def _assert_untouched(target):
    assert target.read_bytes() == b'{"the": "original bytes"}\n'
    assert os.listdir(target.parent) == [target.name]  # no temporary file left behind


def test_save_into_a_missing_folder_fails_cleanly(tmp_path, minimal_data):
    target = tmp_path / "no such folder" / "plan.tco"
    with pytest.raises(ScenarioError) as caught:
        save_scenario(scenario_from_dict(minimal_data), target)
    assert caught.value.file == str(target) and caught.value.path == ""
    assert caught.value.rule.startswith("cannot write: folder") and "does not exist" in caught.value.rule
    assert not target.parent.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply (root ignores them)")
def test_save_into_a_read_only_folder_fails_cleanly(existing_file, minimal_data):
    folder = existing_file.parent
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(ScenarioError) as caught:
            save_scenario(scenario_from_dict(minimal_data), existing_file)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert caught.value.rule.startswith("cannot write: ")
    _assert_untouched(existing_file)


def test_save_refused_by_the_folder_leaves_the_file(monkeypatch, existing_file, minimal_data):
    """What a read-only folder does, also when the tests run as root (who ignores permissions)."""
    def read_only_folder(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", read_only_folder)
    with pytest.raises(ScenarioError) as caught:
        save_scenario(scenario_from_dict(minimal_data), existing_file)
    assert caught.value.rule == "cannot write: Permission denied"
    _assert_untouched(existing_file)


def test_save_where_serialisation_fails_leaves_the_file(monkeypatch, existing_file, minimal_data):
    def failing_dumps(*args, **kwargs):
        raise TypeError("Object of type Widget is not JSON serializable")

    monkeypatch.setattr(files.json, "dumps", failing_dumps)
    with pytest.raises(ScenarioError) as caught:
        save_scenario(scenario_from_dict(minimal_data), existing_file)
    assert caught.value.rule == "cannot write: Object of type Widget is not JSON serializable"
    _assert_untouched(existing_file)


def test_save_failing_midway_through_writing_leaves_the_file(monkeypatch, existing_file, minimal_data):
    def disk_full(file_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(ScenarioError) as caught:
        save_scenario(scenario_from_dict(minimal_data), existing_file)
    assert caught.value.rule == "cannot write: No space left on device"
    assert caught.value.file == str(existing_file)
    _assert_untouched(existing_file)


def test_save_failing_at_the_rename_leaves_the_file(monkeypatch, existing_file, minimal_data):
    def locked(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", locked)
    with pytest.raises(ScenarioError, match="cannot write: Permission denied"):
        save_scenario(scenario_from_dict(minimal_data), existing_file)
    _assert_untouched(existing_file)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_the_old_file_permissions(existing_file, minimal_data):
    existing_file.chmod(0o640)
    save_scenario(scenario_from_dict(minimal_data), existing_file)
    assert stat.S_IMODE(existing_file.stat().st_mode) == 0o640
    assert load_scenario(existing_file).model.params_billion == 70


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_save_through_a_symbolic_link_keeps_the_link(tmp_path, minimal_data):
    real = tmp_path / "real.tco"
    link = tmp_path / "link.tco"
    real.write_text("{}", encoding="utf-8")
    link.symlink_to(real)
    save_scenario(scenario_from_dict(minimal_data), link)
    assert link.is_symlink() and load_scenario(real).model.params_billion == 70


# --- special files, size limit, duplicate keys (issue 12) -----------------------------------------------------

def _refused(path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.file == str(path)
    return caught.value.rule


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    import threading

    fifo = tmp_path / "pipe.tco"
    os.mkfifo(fifo)
    outcome = {}
    reader = threading.Thread(target=lambda: outcome.setdefault("rule", _refused(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the hung reader so the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert outcome["rule"] == "is a named pipe (FIFO), not a regular file"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it():
    assert _refused("/dev/zero") == "is a device, not a regular file"


def test_a_folder_is_refused(tmp_path):
    assert _refused(tmp_path) == "is a folder, not a file"


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.tco"
    with open(big, "wb") as handle:  # sparse: 21 MB that take no disk and no time
        handle.truncate(21 * 1024 * 1024)
    read = []
    monkeypatch.setattr(files.os, "open", lambda *a, **k: read.append(a) or pytest.fail("opened"))
    assert _refused(big) == "is 21 MB; scenario files are limited to 20 MB"
    assert read == []


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch, minimal_data):
    path = tmp_path / "plan.tco"
    path.write_text(json.dumps(minimal_data), encoding="utf-8")
    monkeypatch.setattr(files, "MAX_SCENARIO_BYTES", 10)  # the stat saw it small; the read finds more
    real_stat = os.stat
    monkeypatch.setattr(files.os, "stat", lambda p, *a, **k: os.stat_result(
        (*real_stat(p)[:6], 5, *real_stat(p)[7:])) if str(p) == str(path) else real_stat(p, *a, **k))
    assert _refused(path) == "is more than 9.54e-06 MB; scenario files are limited to 9.54e-06 MB"


def test_a_file_at_the_limit_is_read(tmp_path, minimal_data, monkeypatch):
    text = json.dumps(minimal_data).encode()
    monkeypatch.setattr(files, "MAX_SCENARIO_BYTES", len(text))
    path = tmp_path / "plan.tco"
    path.write_bytes(text)
    assert load_scenario(path).model.params_billion == 70


@pytest.mark.parametrize("content, key", [
    ('{"format": "tcoapp-scenario", "format": "tcoapp-scenario"}', "format"),
    ('{"format": "tcoapp-scenario", "schema_version": 1, "model": {"params_billion": 8, "params_billion": 70},'
     ' "inference": {"requests_per_day": 1}}', "params_billion"),
])
def test_duplicate_keys_are_refused_naming_the_key(tmp_path, content, key):
    path = tmp_path / "dup.tco"
    path.write_text(content, encoding="utf-8")
    assert _refused(path) == f"duplicate key {key!r}: each key may appear only once in an object"


# --- read-only targets, stamps, leftover temporary files, folder flush (issue 12) -----------------------------

def test_a_read_only_file_is_refused_and_left_alone(existing_file, minimal_data):
    existing_file.chmod(stat.S_IRUSR)
    try:
        with pytest.raises(ScenarioError) as caught:
            save_scenario(scenario_from_dict(minimal_data), existing_file)
        assert caught.value.rule == "cannot write: the file is read-only; save under another name (Save As)"
        _assert_untouched(existing_file)
    finally:
        existing_file.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_save_returns_the_stamp_of_what_it_wrote(tmp_path, minimal_data):
    import hashlib

    path = tmp_path / "plan.tco"
    stamp = save_scenario(scenario_from_dict(minimal_data), path)
    assert stamp.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stamp.size == path.stat().st_size and stamp.matches(path)
    assert files.load_scenario_with_stamp(path)[1] == stamp
    os.utime(path, ns=(1, 1))  # touched only: same content still matches
    assert stamp.matches(path)
    path.write_text(path.read_text().replace("70", "71"))
    assert not stamp.matches(path)
    path.unlink()
    assert not stamp.matches(path)


def test_save_removes_old_temporary_files_of_interrupted_saves_only(tmp_path, minimal_data):
    old = tmp_path / ".plan.tco.ab_12xyz.tmp"      # ours, from a save killed an hour ago
    other_old = tmp_path / ".other.tco.k3j9x0a2.tmp"  # ours, for another scenario in the folder
    fresh = tmp_path / ".plan.tco.zz99zz99.tmp"    # ours, but a save may be writing it right now
    foreign = [tmp_path / ".plan.tco.swp", tmp_path / ".plan.tco.ab_12xyz.tmp.keep",
               tmp_path / "plan.tco.ab_12xyz.tmp", tmp_path / ".notes.txt.ab_12xyz.tmp"]
    for path in (old, other_old, fresh, *foreign):
        path.write_text("x")
    for path in (old, other_old, *foreign):
        os.utime(path, (time.time() - 3600,) * 2)
    save_scenario(scenario_from_dict(minimal_data), tmp_path / "plan.tco")
    assert not old.exists() and not other_old.exists()
    assert fresh.exists() and all(path.exists() for path in foreign)


def test_save_flushes_the_folder_after_the_rename(tmp_path, minimal_data, monkeypatch):
    events = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(files.os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b))[1])

    def fsync(descriptor):
        events.append("folder" if stat.S_ISDIR(os.fstat(descriptor).st_mode) else "file")
        return real_fsync(descriptor)

    monkeypatch.setattr(files.os, "fsync", fsync)
    save_scenario(scenario_from_dict(minimal_data), tmp_path / "plan.tco")
    assert events == (["file", "rename", "folder"] if os.name == "posix" else ["file", "rename"])
