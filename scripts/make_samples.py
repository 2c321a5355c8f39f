"""Write the bundled sample scenarios (samples/*.tco) and print their headline numbers.

    python scripts/make_samples.py samples     # rewrite the samples
    python scripts/make_samples.py             # only print what they compute

Each sample tells a story in its notes; the printed line checks that the story
still holds (e.g. the chat assistant's crossover falls in year two).
"""
import json, sys
from tcoapp.scenario.files import scenario_from_dict
from tcoapp.scenario.batch import evaluate
from tcoapp.reports.report import build_report, format_summary

def S(**kw):
    d = {"format": "tcoapp-scenario", "schema_version": 2}
    d.update(kw); return d

samples = {}
samples["chat-assistant-owned-h100"] = S(
    name="Chat assistant on owned H100s",
    notes=("A 70B dense chat model (Llama-3-70B shape) pre-trained on 6T tokens on rented H100s over four months "
           "(plus 30 % for experiments and USD 3M for data and people), refreshed once a year, then served from "
           "our own H100 servers at FP8 with a latency-friendly batch of at most 64. Launch traffic of 10 million "
           "requests a day grows 60 % a year. Training is the big cheque up front; inference overtakes it in "
           "year two (cash basis: servers are paid when bought), and by the end inference is most of the "
           "lifetime cost. Revenue of USD 0.0015 per request shows payback and IRR. "
           "Prices: H100 SXM USD 31,250 per GPU, cloud USD 3.29/h (catalog, see resources/CATALOG.md)."),
    currency="USD", start_month="2026-01", horizon_years=5,
    finance={"discount_rate": 0.08, "basis": "cash"},
    facility={"electricity_price": 0.0826, "pue": 1.3, "colocation_per_kw_month": 184.06, "life_years": 5},
    model={"name": "Assistant-70B", "params_billion": 70, "layers": 80, "kv_heads": 8, "head_dim": 128},
    training={"tokens_trillion": 6, "experiment_overhead": 0.3, "chip": "h100-sxm", "precision": "bf16",
              "mfu": 0.4, "duration_months": 4, "procurement": "cloud", "fixed_cost": 3000000,
              "refresh_every_months": 12, "refresh_compute_fraction": 0.05, "refresh_duration_months": 1,
              "refresh_fixed_cost": 500000},
    inference={"requests_per_day": 10000000, "annual_growth": 0.6, "input_tokens": 1200, "output_tokens": 400, "efficiency": {"max_batch": 64},
               "deployment": "owned", "chip": "h100-sxm", "precision": "fp8", "ops_cost_per_month": 150000},
    business={"revenue_per_request": 0.0015},
    uncertainty={
        "inference.annual_growth": {"dist": "triangular", "low": 0.3, "mode": 0.6, "high": 1.0},
        "inference.requests_per_day": {"dist": "lognormal", "median": 10000000, "sigma": 0.3},
        "training.mfu": {"dist": "pert", "low": 0.3, "mode": 0.4, "high": 0.5},
        "inference.chip_price": {"dist": "uniform", "low": 25000, "high": 40000},
    },
)
samples["reasoning-model-long-thinking"] = S(
    name="Reasoning model: long thinking makes inference dominate",
    notes=("A 32B reasoning model (QwQ-32B shape) post-trained with reinforcement learning on rented H100s, served "
           "in the cloud on H200s. Every answer thinks for 6,000 hidden reasoning tokens (Epoch AI, Apr 2025: "
           "reasoning models answer with about 8x more tokens) and the service samples 4 answers per request "
           "(best-of-4), so each request costs about 60x the decode work of a plain chat answer. Inference "
           "overtakes the whole training bill a few months after launch. Try reasoning_tokens 0 and samples 1 "
           "to see the difference."),
    currency="USD", start_month="2026-01", horizon_years=3,
    model={"name": "Reasoner-32B", "params_billion": 32, "layers": 64, "kv_heads": 8, "head_dim": 128},
    training={"tokens_trillion": 1.0, "experiment_overhead": 1.0, "chip": "h100-sxm", "precision": "bf16",
              "mfu": 0.35, "duration_months": 2, "procurement": "cloud", "fixed_cost": 2000000,
              "refresh_every_months": 6, "refresh_compute_fraction": 0.2, "refresh_duration_months": 1},
    inference={"requests_per_day": 400000, "annual_growth": 0.8, "input_tokens": 800, "output_tokens": 600,
               "reasoning_tokens": 6000, "samples": 4, "deployment": "cloud", "chip": "h200",
               "precision": "fp8", "ops_cost_per_month": 80000},
    uncertainty={
        "inference.reasoning_tokens": {"dist": "triangular", "low": 3000, "mode": 6000, "high": 12000},
        "inference.annual_growth": {"dist": "pert", "low": 0.2, "mode": 0.8, "high": 2.0},
        "inference.cloud_rate": {"dist": "uniform", "low": 6.0, "high": 10.6},
    },
)
common = dict(
    currency="USD", start_month="2026-01", horizon_years=4,
    facility={"electricity_price": 0.0826, "colocation_per_kw_month": 184.06},
    model={"name": "Open MoE 671B (37B active)", "params_billion": 671, "active_params_billion": 37,
           "layers": 61, "kv_heads": 8, "head_dim": 128},
    training={"compute_flops": 3e22, "chip": "h100-sxm", "precision": "bf16", "mfu": 0.35,
              "duration_months": 2, "procurement": "cloud", "fixed_cost": 600000},
)
wl = {"requests_per_day": 1000000, "annual_growth": 0.5, "input_tokens": 1500, "output_tokens": 500,
      "ops_cost_per_month": 60000}
story = ("One workload three ways: a 671B-parameter open mixture-of-experts model (37B active, DeepSeek-V3 "
         "shape), lightly fine-tuned, answering 1 million requests a day growing 50 % a year. Compare "
         "deployment-api.tco (pay per token at DeepSeek-V3 list prices, USD 0.27 in / 1.10 out per million, "
         "falling 30 % a year), deployment-cloud.tco (rent H200s, AWS on-demand USD 10.60/h) and "
         "deployment-owned.tco (buy H200s at USD 39,083 each). ")
samples["deployment-api"] = S(name="Deployment comparison: API", notes=story + "This file: the API.", **common,
    inference=dict(wl, deployment="api", api_price_input=0.27, api_price_output=1.10))
samples["deployment-cloud"] = S(name="Deployment comparison: cloud", notes=story + "This file: rented H200s.", **common,
    inference=dict(wl, deployment="cloud", chip="h200", precision="fp8"))
samples["deployment-owned"] = S(name="Deployment comparison: owned", notes=story + "This file: owned H200s.", **common,
    inference=dict(wl, deployment="owned", chip="h200", precision="fp8"))
samples["enterprise-finetune-api"] = S(
    name="Enterprise fine-tune served through an API",
    notes=("A company fine-tunes an 8B model on 2 billion tokens of its own documents (a few hours on rented "
           "H100s; most of the cost is people and data: USD 250,000), refreshes it every six months, and serves "
           "it through a hosted API at GPT-4o-mini list prices (USD 0.15 in / 0.60 out per million tokens; a "
           "hosted fine-tune usually costs more, so set your provider's price). 20,000 requests a day growing "
           "60 % a year. Here training stays the larger bill for years: the crossover comes late or not at all."),
    currency="USD", start_month="2026-01", horizon_years=3,
    model={"name": "Support-8B fine-tune", "params_billion": 8, "layers": 32, "kv_heads": 8, "head_dim": 128},
    training={"tokens_trillion": 0.002, "chip": "h100-sxm", "precision": "bf16", "mfu": 0.3,
              "duration_months": 2, "procurement": "cloud", "fixed_cost": 250000,
              "refresh_every_months": 6, "refresh_compute_fraction": 0.5, "refresh_duration_months": 1,
              "refresh_fixed_cost": 40000},
    inference={"requests_per_day": 20000, "annual_growth": 0.6, "input_tokens": 2500, "output_tokens": 350,
               "deployment": "api", "api_price_input": 0.15, "api_price_output": 0.60,
               "ops_cost_per_month": 5000},
)
out = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else None
for name, d in samples.items():
    scn = scenario_from_dict(d)
    rep = build_report(scn, evaluate(scn))
    s = rep["summary"]
    print(f"{name:32s} total {s['total_cost']/1e6:9.2f}M train {s['training_cost']/1e6:8.2f}M share {s['inference_share']:.3f} "
          f"cross {s['crossover_month']} payback {s['payback_month']} irr {s['irr']} peak {s['peak_chips']} c {s['replica_chips']}")
    if out:
        with open(f"{out}/{name}.tco", "w") as f:
            json.dump(d, f, indent=2); f.write("\n")
