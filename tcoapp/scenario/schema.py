"""The scenario: every input of the lifetime cost model (``docs/methodology.md`` section 2).

Why one long file: every section model, its field rules and the dotted-path helpers
are one schema that pydantic resolves together; the length is the field descriptions users see as
tooltips, one per field.

The models mirror the ``.tco`` file field for field, with the same names, units,
defaults and rules. They are strict (a number must be written as a number, an
integer as an integer, and ``true`` is not a number), reject unknown fields and
are immutable: change a scenario with :func:`with_values`, which returns a
validated copy.

Each field carries a ``title``, a ``description`` ending with its unit and the
unit again in ``json_schema_extra["unit"]``; the GUI shows them as labels and
tooltips. :func:`numeric_field_paths` lists the numeric fields by dotted path
for the sensitivity tools.
"""

from __future__ import annotations

import functools
import numbers
import re
import types
import typing
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tcoapp.scenario.errors import (
    ScenarioError, bounds_rule, field_bounds, rule_violation, scenario_error_from_validation,
)

CURRENT_SCHEMA_VERSION = 2
"""The ``schema_version`` this app writes; older files are migrated on load."""

PER_YEAR = "per year (0.1 = +10 % a year, -0.2 = -20 % a year)"
SHARE = "share (0.7 = 70 %)"
#: The smallest utilisation, efficiency, throughput or chip figure a field takes (0.1 % of a share, a
#: thousandth of a token per second or of a TFLOP/s): far below any real programme, and a figure the
#: engine divides by, so a value such as 1e-300 (which is > 0) would multiply costs into absurd or
#: overflowing numbers. Such a value is refused at the field instead.
FLOOR = 0.001
#: The largest ``inference.efficiency.max_batch``: serving engines batch hundreds to a few thousand
#: requests; the workbook's batch search has a row per candidate batch, and a sheet holds 1,048,576 rows.
MAX_BATCH = 65_536


def _field(default: Any, title: str, unit: str, description: str, **constraints: Any) -> Any:
    """A scenario field whose description ends with its unit.

    ``default`` is ``...`` for a required field; ``constraints`` are pydantic's
    ``gt``, ``ge``, ``le``, ``min_length``.
    """
    return Field(
        default, title=title, description=f"{description} Unit: {unit}.", json_schema_extra={"unit": unit},
        **constraints,
    )


def _section(model: type[BaseModel], title: str, description: str) -> Any:
    """A nested section that defaults to all its own defaults."""
    return Field(default_factory=model, title=title, description=description)


#: Characters refused in text fields: control characters (they reach terminals as escape sequences
#: and break workbook cells) and the bidirectional overrides that make text read differently than it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Text fields where line breaks and tabs are fine.
_MULTILINE_FIELDS = frozenset({"notes"})


def _control_character(text: str, multiline: bool) -> str | None:
    """The first refused character of ``text``, or None."""
    for ch in text:
        if multiline and ch in "\n\r\t":
            continue
        if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS or ch in "\u2028\u2029":
            return ch
    return None


class _StrictModel(BaseModel):
    """Base of every scenario model: strict types, no unknown fields, immutable, text without control characters."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _printable_text(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            bad = _control_character(value, info.field_name in _MULTILINE_FIELDS)
            if bad is not None:
                allowed = " (line breaks and tabs are fine)" if info.field_name in _MULTILINE_FIELDS else ""
                raise rule_violation(f"must not contain control characters such as U+{ord(bad):04X}{allowed}")
        return value


class Finance(_StrictModel):
    """How amounts are discounted, expensed and converted."""

    discount_rate: float = _field(
        0.08, "Discount rate", "per year (0.08 = 8 %)",
        "Annual rate used to bring future costs and revenue back to today's money (net present value).",
        gt=-1, le=10.0,
    )
    basis: Literal["cash", "accrual"] = _field(
        "cash", "Accounting basis", '"cash" or "accrual"',
        'How owned inference hardware is counted: "cash" books each purchase in the month it is paid; '
        '"accrual" spreads it as straight-line depreciation over the hardware life.',
    )
    usd_to_currency: float = _field(
        1.0, "USD exchange rate", "scenario currency per US dollar",
        "Converts catalog prices and cloud rates, which are in US dollars, into the scenario's currency.",
        gt=0, le=1e6,
    )


class Facility(_StrictModel):
    """Running costs and lifetime of hardware the programme owns."""

    electricity_price: float = _field(
        0.08, "Electricity price", "currency per kWh", "Price of electricity at the start.", ge=0, le=100.0,
    )
    electricity_price_change: float = _field(
        0.02, "Electricity price change", PER_YEAR, "Yearly change in the electricity price.", gt=-1, le=10.0,
    )
    pue: float = _field(
        1.3, "PUE", "ratio (1.3 = 30 % on top of IT power)",
        "Power usage effectiveness: the data centre's total power divided by the power of the IT equipment "
        "(cooling and power losses).",
        ge=1, le=10.0,
    )
    power_load_factor: float = _field(
        0.7, "Power load factor", SHARE,
        "Average power drawn by a server as a share of its full-load power.",
        ge=0, le=1,
    )
    server_power_overhead: float = _field(
        0.8, "Server power overhead", "share of chip TDP (0.8 = 80 %)",
        "Power the rest of the server (CPUs, memory, network, fans) adds to the chips' rated power at full "
        "load (a DGX H100 draws 10.2 kW for 5.6 kW of GPUs: 0.82).",
        ge=0, le=10.0,
    )
    colocation_per_kw_month: float = _field(
        0.0, "Colocation price", "currency per kW of server power per month",
        "Data-centre space and services, charged on the servers' full-load power.", ge=0, le=1e6,
    )
    server_overhead: float = _field(
        0.4, "Server cost overhead", "share of chip price (0.4 = 40 %)",
        "Cost of host, network and storage added to each chip's purchase price.", ge=0, le=10.0,
    )
    life_years: float = _field(
        5.0, "Hardware life", "years",
        "Owned hardware is retired and depreciated over this many years.", gt=0, le=50.0,
    )
    maintenance_rate: float = _field(
        0.05, "Maintenance rate", "share of installed hardware cost per year (0.05 = 5 %)",
        "Yearly maintenance and support cost of installed hardware.", ge=0, le=10.0,
    )
    hardware_price_change: float = _field(
        -0.1, "Hardware price change", PER_YEAR, "Yearly change in chip purchase prices.", gt=-1, le=10.0,
    )
    chips_per_server: int = _field(
        8, "Chips per server", "chips (whole number)", "Owned chips are bought in whole servers of this many.",
        ge=1, le=1024,
    )

    @field_validator("life_years")
    @classmethod
    def _life_covers_a_month(cls, life_years: float) -> float:
        if round(12 * life_years) < 1:
            raise rule_violation("must round to at least one month (round(12 * life_years) >= 1)")
        return life_years


class ModelSpec(_StrictModel):
    """The AI model that is trained and served."""

    name: str = _field("", "Model name", "text", "Name of the model, for reports.")
    params_billion: float = _field(
        ..., "Parameters", "billions of parameters", "Total number of model parameters.", gt=0, le=1e5,
    )
    active_params_billion: Optional[float] = _field(
        None, "Active parameters", "billions of parameters",
        "Parameters used for each token (smaller than the total for mixture-of-experts models); "
        "empty means all parameters.",
        gt=0, le=1e5,
    )
    layers: int = _field(80, "Layers", "layers (whole number)", "Transformer layers, for the memory cache size.", ge=1, le=10000)
    kv_heads: int = _field(
        8, "Key-value heads", "heads (whole number)", "Key-value attention heads, for the memory cache size.", ge=1, le=10000,
    )
    head_dim: int = _field(
        128, "Head dimension", "values per head (whole number)",
        "Size of each attention head, for the memory cache size.",
        ge=1, le=100000,
    )

    experts: Optional[int] = _field(
        None, "Experts", "experts per layer (whole number)",
        "Routed experts in each mixture-of-experts layer; empty means a dense model. Serving reads the "
        "experts that a batch's tokens touch.",
        ge=2, le=100000,
    )
    experts_per_token: Optional[int] = _field(
        None, "Experts per token", "experts (whole number)",
        "Routed experts each token uses; given exactly when experts is.", ge=1, le=100000,
    )

    @model_validator(mode="after")
    def _active_within_total(self) -> ModelSpec:
        if self.active_params_billion is not None and self.active_params_billion > self.params_billion:
            raise rule_violation(
                f"must be > 0 and <= params_billion ({self.params_billion:g})",
                loc=("active_params_billion",), value=self.active_params_billion,
            )
        if (self.experts is None) != (self.experts_per_token is None):
            missing = "experts_per_token" if self.experts_per_token is None else "experts"
            raise rule_violation("must be given together with experts and experts_per_token (both or neither)",
                                 loc=(missing,), value=None)
        if self.experts is not None:
            if not self.experts_per_token < self.experts:
                raise rule_violation(f"must be >= 1 and < experts ({self.experts})",
                                     loc=("experts_per_token",), value=self.experts_per_token)
            if self.active_params_billion is None or not self.active_params_billion < self.params_billion:
                raise rule_violation(
                    f"needs active_params_billion < params_billion ({self.params_billion:g}) for a "
                    "mixture-of-experts model", loc=("experts",), value=self.experts)
        return self


class Training(_StrictModel):
    """Building the model: the initial training run and periodic refresh runs."""

    start_month: int = _field(
        0, "Training start", "month index (0 = start month)", "Month in which the initial training run starts.",
        ge=0, le=1200,
    )
    tokens_trillion: float = _field(
        0.0, "Training tokens", "trillions of tokens", "Tokens processed by the final training run.", ge=0, le=10000.0,
    )
    compute_flops: Optional[float] = _field(
        None, "Training compute", "FLOP",
        "Compute of the final run; empty means 6 x active parameters x training tokens.", ge=0, le=1e32,
    )
    experiment_overhead: float = _field(
        0.0, "Experiment overhead", "share of the final run's compute (0.5 = 50 %)",
        "Extra compute spent on experiments and failed runs.", ge=0, le=100.0,
    )
    chip: str = _field("h100-sxm", "Training chip", "chip id", "Accelerator used for training, from the chip catalog.")
    precision: Literal["bf16", "fp8"] = _field(
        "bf16", "Training precision", '"bf16" or "fp8"', "Number format of training; the chip must support it.",
    )
    mfu: float = _field(
        0.4, "Training utilisation (MFU)", SHARE,
        "Model FLOP utilisation: the share of the chip's peak compute that training actually achieves.",
        ge=FLOOR, le=1,
    )
    duration_months: int = _field(
        3, "Training duration", "months (whole number)", "Length of the initial training run.", ge=1, le=1200,
    )
    procurement: Literal["cloud", "owned"] = _field(
        "cloud", "Training hardware", '"cloud" or "owned"',
        "Whether training chips are rented by the hour or bought (then charged at an amortised hourly rate).",
    )
    cloud_rate: Optional[float] = _field(
        None, "Training cloud rate", "currency per chip-hour",
        "Rental price of one chip for one hour; empty means the catalog rate.", ge=0, le=1e6,
    )
    cloud_price_change: float = _field(
        -0.15, "Training cloud price change", PER_YEAR, "Yearly change in cloud rental rates.", gt=-1, le=10.0,
    )
    chip_price: Optional[float] = _field(
        None, "Training chip price", "currency per chip",
        "Purchase price of one chip; empty means the catalog price.", ge=0, le=1e9,
    )
    fixed_cost: float = _field(
        0.0, "Training fixed cost", "currency",
        "Data, people and evaluation for the initial run, spread over its months.", ge=0, le=1e15,
    )
    refresh_every_months: int = _field(
        0, "Refresh interval", "months (whole number)",
        "Months between refresh (retraining) runs after launch; 0 means no refreshes.", ge=0, le=1200,
    )
    refresh_compute_fraction: float = _field(
        0.1, "Refresh compute", "share of the initial run's compute (0.1 = 10 %)",
        "Compute of each refresh run.", ge=0, le=100.0,
    )
    refresh_duration_months: int = _field(
        1, "Refresh duration", "months (whole number)", "Length of each refresh run.", ge=1, le=1200,
    )
    refresh_fixed_cost: float = _field(
        0.0, "Refresh fixed cost", "currency per refresh", "Data, people and evaluation for each refresh run.", ge=0, le=1e15,
    )


class Efficiency(_StrictModel):
    """How close serving gets to the chip's limits (used by the throughput estimate)."""

    bandwidth: float = _field(
        0.8, "Memory bandwidth efficiency", SHARE, "Share of the chip's memory bandwidth achieved while serving.",
        ge=FLOOR, le=1,
    )
    prefill_mfu: float = _field(
        0.5, "Prefill utilisation", SHARE, "Share of peak compute achieved while reading prompts.", ge=FLOOR, le=1,
    )
    decode_mfu: float = _field(
        0.5, "Decode utilisation", SHARE, "Share of peak compute achieved while generating tokens.", ge=FLOOR, le=1,
    )
    max_batch: int = _field(
        256, "Maximum batch", "requests (whole number)", "Most requests one model copy serves at once.", ge=1, le=MAX_BATCH,
    )
    memory_fraction: float = _field(
        0.9, "Usable memory", SHARE, "Share of chip memory available for weights and the cache.", ge=FLOOR, le=1,
    )
    weight_memory_fraction: float = _field(
        0.7, "Memory for weights", SHARE,
        "Share of chip memory the model weights may fill when choosing how many chips hold one copy.",
        ge=FLOOR, le=1,
    )
    serving: Optional[float] = _field(
        None, "Serving efficiency", SHARE,
        "Share of the throughput estimate that measured serving reaches; empty means the chip's calibrated "
        "value, else 0.7.",
        ge=FLOOR, le=1,
    )


class Inference(_StrictModel):
    """Serving the model: demand, request shape and how it is deployed."""

    launch_month: Optional[int] = _field(
        None, "Launch month", "month index (0 = start month)",
        "Month in which serving starts; empty means right after the initial training run.", ge=0, le=1200,
    )
    end_month: Optional[int] = _field(
        None, "End month", "month index (0 = start month)",
        "First month with no traffic (the product is retired); empty means it runs to the end of the horizon.",
        ge=1, le=1200,
    )
    requests_per_day: float = _field(
        ..., "Requests per day", "requests per day", "Demand at launch.", ge=0, le=1e12,
    )
    annual_growth: float = _field(0.0, "Demand growth", PER_YEAR, "Yearly growth of requests per day.", gt=-1, le=10.0)
    max_requests_per_day: Optional[float] = _field(
        None, "Demand ceiling", "requests per day", "Demand stops growing at this level; empty means no ceiling.",
        gt=0, le=1e12,
    )
    input_tokens: float = _field(1000.0, "Input tokens", "tokens per request", "Prompt length of a request.", ge=0, le=1e7)
    output_tokens: float = _field(
        300.0, "Output tokens", "tokens per request", "Visible answer tokens of a request.", ge=0, le=1e7,
    )
    reasoning_tokens: float = _field(
        0.0, "Reasoning tokens", "tokens per request", 'Hidden "thinking" tokens generated before the answer.', ge=0, le=1e7,
    )
    samples: int = _field(
        1, "Samples per request", "answers (whole number)",
        "Answers generated per request (best-of-n, self-consistency).", ge=1, le=1024,
    )
    cached_input_fraction: float = _field(
        0.0, "Cached prompt share", SHARE,
        "Share of input tokens served from a prompt (prefix) cache: billed at the cached price and "
        "skipping prefill.",
        ge=0, le=1,
    )
    min_tokens_per_s_per_user: Optional[float] = _field(
        None, "Interactivity target", "tokens per second per user",
        "Decode speed each user must see; limits the batch. Empty means the batch is as large as memory "
        "and the maximum batch allow.",
        gt=0, le=1e6,
    )
    deployment: Literal["api", "cloud", "owned"] = _field(
        "cloud", "Deployment", '"api", "cloud" or "owned"',
        'How the model is served: "api" pays a provider per token, "cloud" rents chips by the hour, '
        '"owned" buys servers.',
    )
    chip: str = _field(
        "h100-sxm", "Inference chip", "chip id",
        "Accelerator used for serving (cloud and owned), from the chip catalog.",
    )
    precision: Literal["bf16", "fp8", "fp4"] = _field(
        "fp8", "Inference precision", '"bf16", "fp8" or "fp4"', "Number format of serving; the chip must support it.",
    )
    chips_per_replica: Optional[int] = _field(
        None, "Chips per model copy", "chips (whole number)",
        "Chips holding one copy of the model; empty means the fewest whose memory fits the weights.", ge=1, le=1000000,
    )
    target_utilization: float = _field(
        0.6, "Target utilisation", SHARE, "Share of capacity kept busy on average.", ge=FLOOR, le=1,
    )
    peak_to_average: float = _field(
        1.5, "Peak to average demand", "ratio", "Capacity is sized for peak demand, this many times the average.",
        ge=1, le=1000.0,
    )
    prefill_tokens_per_s_per_chip: Optional[float] = _field(
        None, "Measured prefill speed", "tokens per second per chip",
        "Measured prompt-reading throughput; empty means estimate it from the chip.", ge=FLOOR, le=1e9,
    )
    decode_tokens_per_s_per_chip: Optional[float] = _field(
        None, "Measured decode speed", "tokens per second per chip",
        "Measured generation throughput; empty means estimate it from the chip.", ge=FLOOR, le=1e9,
    )
    cloud_rate: Optional[float] = _field(
        None, "Inference cloud rate", "currency per chip-hour",
        "Rental price of one chip for one hour; empty means the catalog rate.", ge=0, le=1e6,
    )
    cloud_price_change: float = _field(
        -0.15, "Inference cloud price change", PER_YEAR, "Yearly change in cloud rental rates.", gt=-1, le=10.0,
    )
    chip_price: Optional[float] = _field(
        None, "Inference chip price", "currency per chip",
        "Purchase price of one chip; empty means the catalog price.", ge=0, le=1e9,
    )
    api_price_input: float = _field(
        0.0, "API input price", "currency per million input tokens", "Provider price for prompt tokens.", ge=0, le=1e6,
    )
    api_price_cached_input: Optional[float] = _field(
        None, "API cached input price", "currency per million cached input tokens",
        "Provider price for prompt tokens read from its prompt cache; empty means the input price.", ge=0, le=1e6,
    )
    api_price_output: float = _field(
        0.0, "API output price", "currency per million output tokens",
        "Provider price for generated tokens; reasoning tokens are billed as output.", ge=0, le=1e6,
    )
    api_price_change: float = _field(-0.3, "API price change", PER_YEAR, "Yearly change in API prices.", gt=-1, le=10.0)
    ops_cost_per_month: float = _field(
        0.0, "Operations cost", "currency per month", "People and tooling once the model is live.", ge=0, le=1e12,
    )
    efficiency: Efficiency = _section(
        Efficiency, "Serving efficiency", "How close serving gets to the chip's limits (throughput estimate).",
    )


class Business(_StrictModel):
    """What the served requests earn (optional)."""

    revenue_per_request: float = _field(0.0, "Revenue per request", "currency per request",
                                        "What one served request earns.", ge=0, le=1e9)
    revenue_change: float = _field(0.0, "Revenue change", PER_YEAR, "Yearly change in revenue per request.", gt=-1, le=10.0)


def _positive_spec(title: str, unit: str, description: str, le: float = 1e9, divisor: bool = False) -> Any:
    """An optional chip figure: positive (at least :data:`FLOOR` when the engine divides by it) and at most
    ``le``, or empty when unknown."""
    low = {"ge": FLOOR} if divisor else {"gt": 0}
    return _field(None, title, unit, f"{description} Empty means unknown, never zero.", le=le, **low)


class Chip(_StrictModel):
    """One accelerator: a row of the bundled catalog or of a scenario's own ``chips``."""

    id: str = _field(..., "Chip id", "text", "Short unique name used by training.chip and inference.chip.",
                     min_length=1)
    name: str = _field("", "Chip name", "text", "Full product name.")
    vendor: str = _field("", "Vendor", "text", "Maker of the chip.")
    bf16_tflops: Optional[float] = _positive_spec("BF16 peak", "TFLOP/s (1e12 FLOP per second)",
                                                  "Dense peak compute in bf16, without sparsity.", le=1e6, divisor=True)
    fp8_tflops: Optional[float] = _positive_spec("FP8 peak", "TFLOP/s (1e12 FLOP per second)",
                                                 "Dense peak compute in fp8, without sparsity.", le=1e6, divisor=True)
    fp4_tflops: Optional[float] = _positive_spec("FP4 peak", "TFLOP/s (1e12 FLOP per second)",
                                                 "Dense peak compute in fp4, without sparsity.", le=1e6, divisor=True)
    memory_gb: Optional[float] = _positive_spec("Memory", "GB (1e9 bytes)", "High-bandwidth memory per chip.", le=1e5, divisor=True)
    bandwidth_tbs: Optional[float] = _positive_spec("Memory bandwidth", "TB/s (1e12 bytes per second)",
                                                    "Memory bandwidth per chip.", le=1e3, divisor=True)
    tdp_w: Optional[float] = _positive_spec("Power", "watts", "Maximum rated power of the chip (TDP).", le=1e5)
    price_usd: Optional[float] = _positive_spec("Purchase price", "US dollars per chip", "Market price of one chip.")
    cloud_usd_per_hour: Optional[float] = _positive_spec("Cloud rate", "US dollars per chip-hour",
                                                         "On-demand rental price of one chip for one hour.", le=1e6)
    serving_efficiency: Optional[float] = _positive_spec(
        "Serving efficiency", "share of the throughput estimate",
        "Measured serving throughput divided by the estimate on a named reference benchmark.", le=2, divisor=True)
    serving_source: str = _field("", "Serving source", "text",
                                 "The measured result serving_efficiency was calibrated on.")
    source: str = _field("", "Source", "text", "Where the figures come from.")
    as_of: str = _field("", "As of", "date (YYYY-MM-DD)", "Date of the newest figure.")
    notes: str = _field("", "Notes", "text", "Caveats about the figures.")


def _unique_chip_ids(chips: list[Chip]) -> list[Chip]:
    """Reject a chip list that names the same id twice."""
    first_index: dict[str, int] = {}
    for index, chip in enumerate(chips):
        if chip.id in first_index:
            raise rule_violation(f"duplicate chip id (also chips[{first_index[chip.id]}])", loc=(index, "id"),
                                 value=chip.id)
        first_index[chip.id] = index
    return chips


ChipList = Annotated[list[Chip], AfterValidator(_unique_chip_ids)]
"""A list of chips with distinct ids."""


class ChipCatalog(_StrictModel):
    """The chips of the bundled catalog file (its other keys are checked by the loader)."""

    chips: ChipList = Field(..., title="Chips", description="Every bundled chip, with distinct ids.")


class _DistributionBase(_StrictModel):
    """Common ground of the distributions.

    ``dist`` is declared here so that it comes first in a saved file; each
    distribution narrows it to its own tag.
    """

    dist: str


def _tag(name: str) -> Any:
    """The ``dist`` field of one distribution."""
    return _field(name, "Distribution", "name", "Shape of the distribution.")


_VARIED_UNIT = "unit of the varied field"


class _LowModeHigh(_DistributionBase):
    """A distribution given by its lowest, most likely and highest values."""

    low: float = _field(..., "Low", _VARIED_UNIT, "Lowest value.")
    mode: float = _field(..., "Most likely", _VARIED_UNIT, "Most likely value.")
    high: float = _field(..., "High", _VARIED_UNIT, "Highest value.")

    @model_validator(mode="after")
    def _ordered(self) -> _LowModeHigh:
        if not self.low <= self.mode <= self.high:
            raise rule_violation("must lie between low and high", loc=("mode",), value=self.mode)
        if not self.low < self.high:
            raise rule_violation("must be greater than low", loc=("high",), value=self.high)
        return self


class TriangularDistribution(_LowModeHigh):
    """Triangular distribution over ``low .. high`` peaking at ``mode``."""

    dist: Literal["triangular"] = _tag("triangular")


class PertDistribution(_LowModeHigh):
    """PERT (beta) distribution over ``low .. high`` peaking at ``mode``."""

    dist: Literal["pert"] = _tag("pert")


class UniformDistribution(_DistributionBase):
    """Every value between ``low`` and ``high`` equally likely."""

    dist: Literal["uniform"] = _tag("uniform")
    low: float = _field(..., "Low", _VARIED_UNIT, "Lowest value.")
    high: float = _field(..., "High", _VARIED_UNIT, "Highest value.")

    @model_validator(mode="after")
    def _ordered(self) -> UniformDistribution:
        if not self.low < self.high:
            raise rule_violation("must be greater than low", loc=("high",), value=self.high)
        return self


class NormalDistribution(_DistributionBase):
    """Normal (Gaussian) distribution."""

    dist: Literal["normal"] = _tag("normal")
    mean: float = _field(..., "Mean", _VARIED_UNIT, "Average value.")
    sd: float = _field(..., "Standard deviation", _VARIED_UNIT, "Spread around the mean.", gt=0)


class LognormalDistribution(_DistributionBase):
    """Log-normal distribution: the natural logarithm of the value is normal."""

    dist: Literal["lognormal"] = _tag("lognormal")
    median: float = _field(..., "Median", _VARIED_UNIT, "Middle value.", gt=0)
    sigma: float = _field(..., "Sigma", "standard deviation of the natural log", "Spread (0.2 is roughly +-20 %).",
                          gt=0)


Distribution = Annotated[
    Union[TriangularDistribution, PertDistribution, UniformDistribution, NormalDistribution, LognormalDistribution],
    Field(discriminator="dist"),
]
"""Uncertainty about one numeric field, tagged by ``"dist"``."""

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_YEAR_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def check_currency_code(currency: str) -> str:
    """The rule of ``currency`` (scenarios and programmes): three capital letters."""
    if not _CURRENCY_CODE.fullmatch(currency):
        raise rule_violation('must be a 3-letter capital currency code such as "USD"')
    return currency


def check_start_month(start_month: str) -> str:
    """The rule of ``start_month`` (scenarios and programmes): ``YYYY-MM`` between 1990-01 and 2200-12."""
    if not _YEAR_MONTH.fullmatch(start_month):
        raise rule_violation('must be a month written YYYY-MM, e.g. "2026-01"')
    if not 1990 <= int(start_month[:4]) <= 2200:
        raise rule_violation("must be a month between 1990-01 and 2200-12")
    return start_month


class Scenario(_StrictModel):
    """A complete ``.tco`` scenario: the programme whose lifetime cost is computed."""

    format: Literal["tcoapp-scenario"] = _field(
        "tcoapp-scenario", "File format", "text", "Marks the file as a tcoapp scenario.",
    )
    schema_version: int = _field(
        CURRENT_SCHEMA_VERSION, "Schema version", "whole number",
        "Version of the file layout; files from older versions are upgraded when opened.", ge=1,
    )
    name: str = _field("", "Scenario name", "text", "Short name shown in titles and reports.")
    notes: str = _field("", "Notes", "text", "Free notes about the scenario's assumptions.")
    currency: str = _field(
        "USD", "Currency", "ISO 4217 code (3 capital letters)", "Currency of every amount in the scenario.",
    )
    start_month: str = _field(
        "2026-01", "Start month", "YYYY-MM", "Calendar month of month 0, when training starts.",
    )
    horizon_years: int = _field(
        5, "Horizon", "years (whole number)", "How many years the lifetime cost covers.", ge=1, le=20,
    )
    finance: Finance = _section(Finance, "Finance", "Discounting, accounting basis and exchange rate.")
    facility: Facility = _section(
        Facility, "Facility", "Power, space, maintenance and lifetime of owned hardware.",
    )
    model: ModelSpec = Field(..., title="Model", description="The AI model that is trained and served.")
    training: Training = _section(Training, "Training", "The initial training run and refresh runs.")
    inference: Inference = Field(
        ..., title="Inference", description="Serving the model: demand, request shape and deployment.",
    )
    business: Business = _section(Business, "Business", "What the served requests earn.")
    chips: ChipList = Field(
        default_factory=list, title="Custom chips",
        description="Chips that add to the bundled catalog, or replace a catalog chip with the same id.",
    )
    uncertainty: dict[str, Distribution] = Field(
        default_factory=dict, title="Uncertainty",
        description='Distributions of numeric inputs for the sensitivity tools, keyed by the field\'s dotted path '
                    '(e.g. "inference.annual_growth").',
    )

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, currency: str) -> str:
        return check_currency_code(currency)

    @field_validator("start_month")
    @classmethod
    def _year_month(cls, start_month: str) -> str:
        return check_start_month(start_month)

    @model_validator(mode="after")
    def _ends_after_launch(self) -> Scenario:
        end = self.inference.end_month
        if end is not None:
            launch = self.inference.launch_month
            derived = launch is None
            if derived:
                launch = self.training.start_month + self.training.duration_months
            if not end > launch:
                what = ("the launch month (training.start_month + training.duration_months = "
                        f"{launch})") if derived else f"inference.launch_month ({launch})"
                raise rule_violation(f"must be > {what}", loc=("inference", "end_month"), value=end)
        return self

    @field_validator("uncertainty")
    @classmethod
    def _numeric_keys(cls, uncertainty: dict[str, Any]) -> dict[str, Any]:
        numeric_paths = numeric_field_paths()
        for key, dist in uncertainty.items():
            if key not in numeric_paths:
                raise rule_violation('is not a numeric field of the scenario (e.g. "inference.annual_growth")',
                                     loc=(key,))
            check_distribution_within_rule(key, dist, loc=(key,))
        return uncertainty


#: The largest lognormal sigma: e^(10 x 4) already spans a factor 2e17 each way at 4 standard deviations.
MAX_LOGNORMAL_SIGMA = 10.0


def _within(spec: "NumericField", value: float) -> bool:
    b = spec.bounds
    return (("ge" not in b or value >= b["ge"]) and ("gt" not in b or value > b["gt"])
            and ("le" not in b or value <= b["le"]) and ("lt" not in b or value < b["lt"]))


def check_distribution_within_rule(field: str, dist: Any, loc: tuple = ()) -> None:
    """A distribution's low, mode, high, mean or median must be values the field can take.

    Draws are kept within the field's rule by clipping, so a distribution outside it (a PUE
    uniform over -5 .. -1, a median of 1e300) would silently become the bound, and one whose
    range overflows (low -1e308, high 1e308) would give no number at all.
    """
    spec = numeric_field_paths().get(field)
    if spec is None:
        return
    for name in ("low", "mode", "high", "mean", "median"):
        value = getattr(dist, name, None)
        if value is not None and not _within(spec, value):
            raise rule_violation(f"{spec.rule}, as {field} itself", loc=(*loc, name), value=value)
    if getattr(dist, "dist", None) == "lognormal" and dist.sigma > MAX_LOGNORMAL_SIGMA:
        raise rule_violation(f"must be <= {MAX_LOGNORMAL_SIGMA:g}", loc=(*loc, "sigma"), value=dist.sigma)
    if getattr(dist, "dist", None) == "normal" and "le" in spec.bounds and ("ge" in spec.bounds or "gt" in spec.bounds):
        lower = spec.bounds.get("ge", spec.bounds.get("gt"))
        if dist.sd > spec.bounds["le"] - lower:
            raise rule_violation(f"must be at most the width of {field}'s range ({spec.bounds['le'] - lower:g})",
                                 loc=(*loc, "sd"), value=dist.sd)


@dataclass(frozen=True)
class NumericField:
    """What the sensitivity tools and the GUI need to know about one numeric field.

    Attributes
    ----------
    path : str
        Dotted path, e.g. ``"inference.efficiency.decode_mfu"``.
    title, unit, description : str
        Label, unit and tooltip text.
    is_int : bool
        Whether only whole numbers are allowed.
    nullable : bool
        Whether empty (``None``, "derive it") is allowed.
    bounds : dict
        Declared bounds keyed by ``"gt"``, ``"ge"``, ``"lt"``, ``"le"``.
    rule : str
        The range rule in words (``"must be > 0 and <= 1"``), ``""`` if none.
    """

    path: str
    title: str
    unit: str
    description: str
    is_int: bool
    nullable: bool
    bounds: dict[str, float]
    rule: str

    @property
    def percent(self) -> bool:
        """Whether the field is a share or a yearly rate, read and written as a percentage ("0.6" is 60 %)."""
        return is_percent_unit(self.unit)

    @property
    def money(self) -> bool:
        """Whether the field is an amount in the scenario's currency (its unit starts with "currency")."""
        return self.unit.startswith("currency")


def is_percent_unit(unit: str) -> bool:
    """Whether a field's unit is a share or a yearly rate of the form "0.7 = 70 %" (ratios are not).

    >>> is_percent_unit("share (0.7 = 70 %)"), is_percent_unit("per year (0.08 = 8 %)")
    (True, True)
    >>> is_percent_unit("ratio (1.3 = 30 % on top of IT power)"), is_percent_unit("currency per kWh")
    (False, False)
    """
    return "%" in unit and (unit.startswith("share") or unit.startswith("per year"))


def numeric_field_paths() -> dict[str, NumericField]:
    """Every numeric scenario field by dotted path, in schema order.

    Covers ``horizon_years`` and the sections finance, facility, model, training,
    inference, inference.efficiency and business (not the chips, not
    ``schema_version``).

    Returns
    -------
    dict of str to NumericField

    Examples
    --------
    >>> fields = numeric_field_paths()
    >>> fields["facility.pue"].rule
    'must be between 1 and 10'
    >>> fields["inference.samples"].is_int, fields["inference.max_requests_per_day"].nullable
    (True, True)
    """
    return dict(_numeric_fields())


@functools.cache
def _numeric_fields() -> tuple[tuple[str, NumericField], ...]:
    return tuple(_walk_numeric_fields(Scenario, ""))


def _walk_numeric_fields(model: type[BaseModel], prefix: str) -> typing.Iterator[tuple[str, NumericField]]:
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        kind, nullable = _optional_parts(field.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from _walk_numeric_fields(kind, f"{path}.")
        elif kind in (int, float) and path != "schema_version":
            extra = field.json_schema_extra or {}
            yield path, NumericField(
                path=path, title=field.title or name, unit=str(extra.get("unit", "")),
                description=field.description or "", is_int=kind is int, nullable=nullable,
                bounds=field_bounds(field), rule=bounds_rule(field),
            )


def _optional_parts(annotation: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``Optional[X]``, ``(annotation, False)`` otherwise."""
    members = typing.get_args(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in members:
        others = [member for member in members if member is not type(None)]
        if len(others) == 1:
            return others[0], True
    return annotation, False


def get_path(scenario: Scenario, path: str) -> Any:
    """The value of a field given by its dotted path.

    Parameters
    ----------
    scenario : Scenario
    path : str
        E.g. ``"inference.requests_per_day"`` or ``"finance"`` (a whole section).

    Returns
    -------
    object

    Raises
    ------
    ScenarioError
        If the path names no field ("unknown field").

    Examples
    --------
    >>> s = Scenario.model_validate({"model": {"params_billion": 70}, "inference": {"requests_per_day": 1e6}})
    >>> get_path(s, "inference.efficiency.max_batch")
    256
    """
    value: Any = scenario
    for name in path.split("."):
        if not (isinstance(value, BaseModel) and name in type(value).model_fields):
            raise ScenarioError("unknown field", path=path)
        value = getattr(value, name)
    return value


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A validated copy of ``scenario`` with some fields replaced.

    Parameters
    ----------
    scenario : Scenario
    values : dict
        Dotted field path -> new value, e.g. ``{"inference.requests_per_day": 5e5}``.
        numpy scalars are accepted and stored as Python numbers.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        If a path names no field or a new value breaks a rule.

    Examples
    --------
    >>> s = Scenario.model_validate({"model": {"params_billion": 70}, "inference": {"requests_per_day": 1e6}})
    >>> with_values(s, {"facility.pue": 1.2}).facility.pue
    1.2
    """
    data = scenario.model_dump()
    for path, value in values.items():
        container, model = data, type(scenario)
        *sections, name = path.split(".")
        for section in sections:
            annotation = model.model_fields[section].annotation if section in model.model_fields else None
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                raise ScenarioError("unknown field", path=path)
            container, model = container[section], annotation
        if name not in model.model_fields:
            raise ScenarioError("unknown field", path=path)
        container[name] = _python_number(value)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise scenario_error_from_validation(error, Scenario) from None


def _python_number(value: Any) -> Any:
    """numpy integer and float scalars (from the solver) as Python ``int`` and ``float``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value
