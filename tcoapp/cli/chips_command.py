"""``tcoapp-cli chips``: the chip catalog, with a scenario's own chips when one is given."""

from __future__ import annotations

from .common import EXIT_OK, load_file, print_json

CHIP_COLUMNS = (
    ("id", "id", "{}"), ("name", "name", "{}"), ("bf16", "bf16_tflops", "{:,.0f}"),
    ("fp8", "fp8_tflops", "{:,.0f}"), ("fp4", "fp4_tflops", "{:,.0f}"), ("GB", "memory_gb", "{:,.0f}"),
    ("TB/s", "bandwidth_tbs", "{:.2f}"), ("W", "tdp_w", "{:,.0f}"), ("USD", "price_usd", "{:,.0f}"),
    ("USD/h", "cloud_usd_per_hour", "{:.2f}"), ("as of", "as_of", "{}"),
)


def cmd_chips(args, scenario=None) -> int:
    if args.file:
        from ..scenario.catalog import chips_for

        chips = chips_for(scenario if scenario is not None else load_file(args.file))
    else:
        from ..scenario.catalog import load_catalog

        chips = load_catalog()
    rows = [chip.model_dump() for chip in chips.values()]
    if args.json:
        print_json({"format": "tcoapp-chips", "version": 1, "chips": rows})
        return EXIT_OK
    print("Dense peak TFLOP/s per precision; memory GB; bandwidth TB/s; power W; price and cloud rate in USD "
          "('-' = not known)")
    table = [[head for head, _, _ in CHIP_COLUMNS]]
    for row in rows:
        table.append(["-" if row[key] is None else fmt.format(row[key]) for _, key, fmt in CHIP_COLUMNS])
    widths = [max(len(r[i]) for r in table) for i in range(len(CHIP_COLUMNS))]
    for r in table:
        print("  ".join(cell.ljust(w) if i < 2 or i == len(r) - 1 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(r, widths))))
    return EXIT_OK
