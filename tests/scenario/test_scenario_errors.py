"""ScenarioError: one line naming the file, the path, the value and the rule."""

from __future__ import annotations

from tcoapp.scenario import NO_VALUE, ScenarioError


def test_message_names_file_path_value_and_rule():
    error = ScenarioError("must be >= 0", path="inference.requests_per_day", value=-5.0, file="plan.tco")
    assert str(error) == "plan.tco: inference.requests_per_day = -5.0: must be >= 0"
    assert (error.file, error.path, error.value, error.rule) == ("plan.tco", "inference.requests_per_day", -5.0,
                                                                 "must be >= 0")
    assert isinstance(error, ValueError)


def test_file_and_value_are_left_out_when_absent():
    error = ScenarioError("is required", path="model.params_billion")
    assert str(error) == "model.params_billion: is required"
    assert error.file is None and error.value is NO_VALUE and not error.has_value


def test_whole_file_problem_has_no_path():
    assert str(ScenarioError("file not found", file="missing.tco")) == "missing.tco: file not found"


def test_none_is_a_value_worth_showing():
    assert str(ScenarioError("must be a number, got null", path="facility.pue", value=None)) == (
        "facility.pue = None: must be a number, got null"
    )


def test_long_value_is_truncated_to_60_characters():
    error = ScenarioError("unknown field", path="notes_typo", value="x" * 500)
    shown = str(error).split(" = ", 1)[1].rsplit(": ", 1)[0]
    assert len(shown) == 60 and shown.endswith("...")


def test_message_is_one_line_even_with_newlines():
    error = ScenarioError("not valid JSON", path="name", value="two\nlines", file="odd\nname.tco")
    assert "\n" not in str(error)
