"""The chip catalog, a scenario's own chips, and the chips a scenario names."""

from __future__ import annotations

import json

import pytest

from tcoapp.scenario import (
    Chip, ScenarioError, check_references, chips_for, load_catalog, scenario_from_dict, with_values,
)
from tcoapp.scenario import catalog

CATALOG_CHIPS = [
    {"id": "big-gpu", "name": "Big GPU", "vendor": "Acme", "bf16_tflops": 1000, "fp8_tflops": 2000,
     "fp4_tflops": 4000, "memory_gb": 192, "bandwidth_tbs": 8, "tdp_w": 1000, "price_usd": 40000,
     "cloud_usd_per_hour": 4.5, "source": "test", "as_of": "2025-01-01", "notes": ""},
    {"id": "old-gpu", "name": "Old GPU", "bf16_tflops": 300, "fp8_tflops": None, "memory_gb": 80},
]


@pytest.fixture
def fresh_catalog_cache():
    """Forget the cached catalog before and after a test that swaps the file."""
    catalog._read_catalog.cache_clear()
    yield
    catalog._read_catalog.cache_clear()


@pytest.fixture
def use_catalog(tmp_path, monkeypatch, fresh_catalog_cache):
    """Point the catalog loader at a temporary ``chips.json`` with the given document."""
    def write(document):
        path = tmp_path / "chips.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        monkeypatch.setattr(catalog, "resource_file", lambda name: tmp_path / name)
        return path
    return write


def _catalog_document(chips=CATALOG_CHIPS, **top_level):
    return {"format": "tcoapp-chip-catalog", "version": 1, "as_of": "2025-06-01", "chips": chips, **top_level}


def _scenario(**sections):
    document = {"format": "tcoapp-scenario", "schema_version": 1, "model": {"params_billion": 70},
                "inference": {"requests_per_day": 1000}}
    for name, value in sections.items():
        if isinstance(value, dict):
            document.setdefault(name, {}).update(value)
        else:
            document[name] = value
    return scenario_from_dict(document)


# --- loading ---------------------------------------------------------------------------------------------------

def test_catalog_loads_chips_by_id_in_file_order(use_catalog):
    use_catalog(_catalog_document())
    chips = load_catalog()
    assert list(chips) == ["big-gpu", "old-gpu"]
    assert chips["big-gpu"].fp4_tflops == 4000 and chips["old-gpu"].fp8_tflops is None
    assert chips["old-gpu"].vendor == "" and chips["old-gpu"].price_usd is None


def test_catalog_is_read_once_and_handed_out_as_copies(use_catalog):
    path = use_catalog(_catalog_document())
    first = load_catalog()
    first.pop("big-gpu")
    path.write_text("broken", encoding="utf-8")
    assert list(load_catalog()) == ["big-gpu", "old-gpu"]
    with pytest.raises(ValueError):
        load_catalog()["big-gpu"].price_usd = 1.0  # chips are immutable


@pytest.mark.parametrize(("document", "path", "rule_words"), [
    (_catalog_document(format="tcoapp-scenario"), "format", '"tcoapp-chip-catalog"'),
    (_catalog_document(version=2), "version", "newer catalog version 2 than this app reads (1); update tcoapp"),
    (_catalog_document(version="1"), "version", "must be an integer"),
    (_catalog_document(chips=[CATALOG_CHIPS[0], {"id": "bad", "tdp_w": -1}]), "chips[1].tdp_w", "must be > 0"),
    (_catalog_document(chips=[CATALOG_CHIPS[0], {"id": "x", "tflops": 1}]), "chips[1].tflops", "unknown field"),
    (_catalog_document(chips=[CATALOG_CHIPS[0], CATALOG_CHIPS[0]]), "chips[1].id", "duplicate chip id"),
    ({"format": "tcoapp-chip-catalog", "version": 1}, "chips", "is required"),
])
def test_bad_catalog_is_reported_with_its_file(use_catalog, document, path, rule_words):
    catalog_path = use_catalog(document)
    with pytest.raises(ScenarioError) as caught:
        load_catalog()
    assert caught.value.path == path and rule_words in caught.value.rule
    assert caught.value.file == str(catalog_path) and "\n" not in str(caught.value)


def test_missing_catalog_is_reported(tmp_path, monkeypatch, fresh_catalog_cache):
    monkeypatch.setattr(catalog, "resource_file", lambda name: tmp_path / name)
    with pytest.raises(ScenarioError, match="chips.json: file not found"):
        load_catalog()


def test_bundled_catalog_has_the_expected_shape(fresh_catalog_cache):
    chips = load_catalog()
    assert chips and all(isinstance(chip, Chip) and chip.id == chip_id for chip_id, chip in chips.items())
    assert all(chip.source and chip.as_of for chip in chips.values())


def test_default_chips_are_in_the_bundled_catalog(fresh_catalog_cache):
    scenario = _scenario()
    check_references(scenario, chips_for(scenario))


# --- a scenario's own chips ------------------------------------------------------------------------------------

def test_scenario_chips_replace_or_add_to_the_catalog(use_catalog):
    use_catalog(_catalog_document())
    scenario = _scenario(chips=[{"id": "old-gpu", "name": "Old GPU, our price", "bf16_tflops": 300,
                                 "price_usd": 9000},
                                {"id": "own-asic", "bf16_tflops": 500}])
    chips = chips_for(scenario)
    assert list(chips) == ["big-gpu", "old-gpu", "own-asic"]
    assert chips["old-gpu"].price_usd == 9000 and chips["own-asic"].bf16_tflops == 500
    assert load_catalog()["old-gpu"].price_usd is None  # the catalog itself is unchanged


# --- references from a scenario --------------------------------------------------------------------------------

CUSTOM_CHIPS = [{"id": "no-fp4", "bf16_tflops": 500, "fp8_tflops": 1000, "fp4_tflops": None},
                {"id": "bf16-only", "bf16_tflops": 300}]


def _own_chips(scenario):
    return {chip.id: chip for chip in scenario.chips}


@pytest.mark.parametrize(("sections", "path", "rule"), [
    ({"training": {"chip": "foo"}}, "training.chip", "chip 'foo' is not in the catalog or the scenario's chips"),
    ({"training": {"chip": "no-fp4"}, "inference": {"chip": "foo"}}, "inference.chip",
     "chip 'foo' is not in the catalog or the scenario's chips"),
    ({"training": {"chip": "bf16-only", "precision": "fp8"}}, "training.precision",
     "chip 'bf16-only' has no fp8 peak (fp8_tflops is null); choose bf16"),
    ({"training": {"chip": "no-fp4"}, "inference": {"chip": "no-fp4", "precision": "fp4"}}, "inference.precision",
     "chip 'no-fp4' has no fp4 peak (fp4_tflops is null); choose bf16 or fp8"),
])
def test_unknown_chip_or_missing_precision_is_reported(sections, path, rule):
    scenario = _scenario(chips=CUSTOM_CHIPS, **sections)
    with pytest.raises(ScenarioError) as caught:
        check_references(scenario, _own_chips(scenario))
    assert caught.value.path == path and caught.value.rule == rule
    assert str(caught.value).startswith(f"{path} = ") and "\n" not in str(caught.value)


def test_api_inference_needs_no_chip():
    scenario = _scenario(chips=CUSTOM_CHIPS, training={"chip": "no-fp4"},
                         inference={"deployment": "api", "chip": "foo", "precision": "fp4"})
    check_references(scenario, _own_chips(scenario))
    with pytest.raises(ScenarioError, match="inference.chip"):
        check_references(with_values(scenario, {"inference.deployment": "owned"}), _own_chips(scenario))


def test_supported_choices_pass():
    scenario = _scenario(chips=CUSTOM_CHIPS, training={"chip": "bf16-only", "precision": "bf16"},
                         inference={"chip": "no-fp4", "precision": "fp8", "deployment": "cloud"})
    check_references(scenario, _own_chips(scenario))
