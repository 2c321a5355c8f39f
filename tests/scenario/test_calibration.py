"""serving_efficiency calibration: the H100 SXM arithmetic re-derived by hand, and the catalog matches the script."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from tcoapp.scenario.catalog import load_catalog

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "calibrate_serving.py"


def _script():
    spec = importlib.util.spec_from_file_location("calibrate_serving", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_h100_estimate_and_efficiency_by_hand():
    # Llama-2-70B fp8 on H100 SXM (989/1979 TFLOP/s, 80 GB, 3.35 TB/s), input 300, output 290.
    W = 70e9 * 1                                # bytes of weights (fp8)
    c = 2                                       # 56 GB (0.7 * 80) < 70 GB <= 112 GB
    kv_tok = 2 * 80 * 8 * 128 * 1               # 163,840 bytes per token
    ctx_max, ctx_avg = 300 + 290, 300 + 290 / 2
    B = min(256, math.floor((0.9 * c * 80e9 - W) / (ctx_max * kv_tok)))
    assert B == 256                             # memory allows 765
    t = (W + B * ctx_avg * kv_tok) / (c * 3.35e12 * 0.8) + B * 2 * 70e9 / (c * 1979e12 * 0.5)
    per_chip = B / t / c
    assert per_chip == pytest.approx(3693.86, abs=0.01)
    measured = 24524.9 / 8                      # MLPerf v4.1 DGX H100 Offline tokens/s over 8 GPUs
    assert measured / per_chip == pytest.approx(0.8299, abs=1e-4)

    est, c_engine, B_engine = _script().estimate("h100-sxm", "fp8")
    assert (c_engine, B_engine) == (c, B)
    assert est == pytest.approx(per_chip, rel=1e-12)


def test_catalog_efficiencies_are_the_scripts_and_sourced():
    rows = _script().main(write=False)
    catalog = load_catalog()
    assert {r["chip"] for r in rows} == {"h100-sxm", "h200", "b200", "mi300x"}
    for r in rows:
        chip = catalog[r["chip"]]
        assert chip.serving_efficiency == round(r["efficiency"], 3)
        assert "MLPerf Inference v4.1" in chip.serving_source and "mlperf_log_summary.txt" in chip.serving_source
    for chip in catalog.values():
        if chip.id not in {r["chip"] for r in rows}:
            assert chip.serving_efficiency is None, chip.id
