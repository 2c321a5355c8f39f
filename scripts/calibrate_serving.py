"""Calibrate each chip's serving_efficiency on ONE reference workload and print the arithmetic.

Reference workload: MLPerf Inference v4.1 (results published 2024-08-28), closed division,
datacenter, Llama-2-70B, Offline scenario. The measured figure is the "Tokens per second"
line of each submission's performance/run_1/mlperf_log_summary.txt in mlcommons/inference_results_v4.1
(commit a2f5d66d17e8f75c02fd74dfe810ecca6a046696), divided by the system's accelerator count.

The estimate is the engine's (MODEL.md v2, section 4.3) with serving efficiency s = 1, the
product's default efficiencies (bandwidth 0.8, decode_mfu 0.5, max_batch 256, memory_fraction 0.9,
weight_memory_fraction 0.7) and chips_per_replica chosen by the engine:
    t(B) = (W_total + B * ctx_avg * kv_tok) / (c * BW * 0.8) + B * 2 * N / (c * F * 0.5),
    R = B / t(B) (per replica), per chip R / c, B = B_max;
serving_efficiency = measured per-chip tokens/s / estimated per-chip tokens/s.

Workload shape: Llama-2-70B (N = 70e9 as MLPerf names it, 80 layers, 8 KV heads of 128).
Mean output tokens = tokens/s / samples/s of the H100 log (24,524.9 / 84.4792 = 290.3).
Mean input tokens: ASSUMPTION 300 (the OpenOrca subset caps input at 1,024; no published mean was
found this session) - the effect on the estimate is printed with 150 and 600.

Run: .venv/bin/python scripts/calibrate_serving.py [--write]  (--write updates chips.json).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcoapp.scenario.batch import evaluate  # noqa: E402
from tcoapp.scenario.schema import Scenario  # noqa: E402

LOG = "mlcommons/inference_results_v4.1 closed/{sub}/results/{system}/{bench}/Offline/performance/run_1/mlperf_log_summary.txt"
INPUT_TOKENS = 300
OUTPUT_TOKENS = 290

# chip id -> (submitter, system, benchmark, accelerators, precision, tokens/s, samples/s)
MEASURED = {
    "h100-sxm": ("NVIDIA", "DGX-H100_H100-SXM-80GBx8_TRT", "llama2-70b-99.9", 8, "fp8", 24524.9, 84.4792),
    "h200": ("NVIDIA", "H200-SXM-141GBx8_TRT", "llama2-70b-99", 8, "fp8", 31302.7, 107.477),
    "b200": ("NVIDIA", "B200-SXM-180GBx1_TRT", "llama2-70b-99", 1, "fp4", 11264.4, 41.1075),
    "mi300x": ("AMD", "8xMI300X_2xEPYC-9374F", "llama2-70b-99", 8, "fp8", 23514.8, 80.15),
}


def estimate(chip: str, precision: str, input_tokens: int = INPUT_TOKENS, output_tokens: int = OUTPUT_TOKENS):
    """(per-chip decode tokens/s, chips per replica c, batch B) of the engine's estimate with s = 1."""
    s = Scenario.model_validate({
        "format": "tcoapp-scenario", "schema_version": 2,
        "model": {"params_billion": 70, "layers": 80, "kv_heads": 8, "head_dim": 128},
        "training": {"tokens_trillion": 0},
        "inference": {"requests_per_day": 1000, "deployment": "cloud", "cloud_rate": 1.0, "chip": chip,
                      "precision": precision, "input_tokens": input_tokens, "output_tokens": output_tokens,
                      "efficiency": {"serving": 1.0}},
    })
    summary = {k: float(np.asarray(v).ravel()[0]) for k, v in evaluate(s).summary.items()
               if k in ("replica_decode_tokens_per_s", "replica_batch", "replica_chips")}
    c = int(summary["replica_chips"])
    return summary["replica_decode_tokens_per_s"] / c, c, summary["replica_batch"]


def main(write: bool = False) -> list[dict]:
    rows = []
    for chip, (sub, system, bench, n, prec, tps, sps) in MEASURED.items():
        per_chip, c, B = estimate(chip, prec)
        measured = tps / n
        eff = measured / per_chip
        lo = estimate(chip, prec, input_tokens=150)[0]
        hi = estimate(chip, prec, input_tokens=600)[0]
        rows.append({"chip": chip, "precision": prec, "measured_per_chip": measured, "estimate_per_chip": per_chip,
                     "c": c, "B": B, "efficiency": eff, "estimate_in150": lo, "estimate_in600": hi,
                     "source": LOG.format(sub=sub, system=system, bench=bench), "tokens_per_s": tps, "n": n,
                     "samples_per_s": sps})
    for r in rows:
        print(f"{r['chip']:9s} {r['precision']} measured {r['tokens_per_s']:,.1f}/{r['n']} = {r['measured_per_chip']:,.1f}"
              f" tok/s/chip; estimate(s=1) c={r['c']} B={r['B']:.0f} {r['estimate_per_chip']:,.1f}"
              f" -> serving_efficiency {r['efficiency']:.3f}  (input 150: {r['estimate_in150']:,.0f}, 600: {r['estimate_in600']:,.0f})")
    if write:
        path = ROOT / "resources" / "chips.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        for chip in data["chips"]:
            for r in rows:
                if chip["id"] == r["chip"]:
                    chip["serving_efficiency"] = round(r["efficiency"], 3)
                    chip["serving_source"] = (f"MLPerf Inference v4.1 closed, Llama-2-70B Offline, {r['precision']}: "
                                              f"{r['tokens_per_s']:,.1f} tokens/s on {r['n']} chip(s) = "
                                              f"{r['measured_per_chip']:,.1f} per chip ({r['source']}, 2024-08-28); "
                                              f"estimate with s = 1: {r['estimate_per_chip']:,.1f} (scripts/calibrate_serving.py)")
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)
    return rows


if __name__ == "__main__":
    main(write="--write" in sys.argv)


# Held-out measured results (NOT used for calibration): (label, chip, precision, model, input, output,
# measured tokens/s, accelerators, log). Output means are tokens/s / samples/s of each log; input means
# are assumptions where marked.
HELD_OUT = [
    ("Llama-2-70B Offline, 1 GPU (same workload, other system)", "mi300x", "fp8",
     {"params_billion": 70, "layers": 80, "kv_heads": 8, "head_dim": 128}, 300, 293, 3062.72, 1,
     "closed/AMD/results/1xMI300X_2xEPYC-9374F/llama2-70b-99.9/Offline"),
    ("GPT-J 6B Offline (other dense model; long input, short output)", "h100-sxm", "fp8",
     {"params_billion": 6, "layers": 28, "kv_heads": 16, "head_dim": 256}, 800, 69, 19739.8, 8,
     "closed/NVIDIA/results/DGX-H100_H100-SXM-80GBx8_TRT/gptj-99.9/Offline"),
    ("Mixtral-8x7B Offline (MoE)", "h100-sxm", "fp8",
     {"params_billion": 46.7, "active_params_billion": 12.9, "layers": 32, "kv_heads": 8, "head_dim": 128,
      "experts": 8, "experts_per_token": 2}, 300, 146, 52415.9, 8,
     "closed/NVIDIA/results/DGX-H100_H100-SXM-80GBx8_TRT/mixtral-8x7b/Offline"),
]


def held_out() -> list[dict]:
    """Estimate (with the catalog's serving_efficiency) against each held-out measurement."""
    out = []
    for label, chip, prec, model, inp, outp, tps, n, log in HELD_OUT:
        s = Scenario.model_validate({
            "format": "tcoapp-scenario", "schema_version": 2, "model": model, "training": {"tokens_trillion": 0},
            "inference": {"requests_per_day": 1000, "deployment": "cloud", "cloud_rate": 1.0, "chip": chip,
                          "precision": prec, "input_tokens": inp, "output_tokens": outp}})
        summ = evaluate(s).summary
        c = float(np.asarray(summ["replica_chips"]).ravel()[0])
        R = float(np.asarray(summ["replica_decode_tokens_per_s"]).ravel()[0])
        P = float(np.asarray(summ["replica_prefill_tokens_per_s"]).ravel()[0])
        est = R / c
        end_to_end = outp / (inp / P + outp / R) / c  # output tokens per busy second, prefill included
        meas = tps / n
        out.append({"label": label, "chip": chip, "estimate": est, "end_to_end": end_to_end, "measured": meas,
                    "error": est / meas - 1, "error_end_to_end": end_to_end / meas - 1, "log": log, "c": c})
        print(f"{label:60s} {chip:9s} est {est:8,.0f} (with prefill {end_to_end:8,.0f})  measured {meas:8,.0f}"
              f"  error {est / meas - 1:+.0%} ({end_to_end / meas - 1:+.0%})")
    return out


if __name__ == "__main__" and "--held-out" in sys.argv:
    held_out()
