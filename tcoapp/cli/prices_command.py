"""``tcoapp-cli prices``: the price book (cloud rates, API offers, server and chip prices), with sources and dates.

``--csv OUT`` writes the listed rows as CSV (to edit with negotiated prices); ``--import CSV``
checks such a file and lists it instead of the bundled book (a bad row exits 2 naming row and field).
"""

from __future__ import annotations

from dataclasses import asdict

from .common import EXIT_OK, BadInput, print_json

KIND_CHOICES = ("cloud", "api", "server", "chip")


def add_prices_command(sub) -> None:
    p = sub.add_parser("prices", help="list the price book: cloud rates, API offers, server and chip prices, "
                                      "each dated and sourced")
    p.add_argument("--json", action="store_true", help="print the rows as a tcoapp-price-book JSON document")
    p.add_argument("--chip", metavar="ID", help="only rows for this chip id")
    p.add_argument("--kind", choices=KIND_CHOICES, help="only rows of this kind")
    p.add_argument("--tier", choices=("frontier", "mid", "small", "open-weight"), help="only API offers of this tier")
    p.add_argument("--csv", metavar="OUT.csv", help="write the listed rows as CSV (edit it, then --import it)")
    p.add_argument("--import", dest="import_csv", metavar="IN.csv",
                   help="check a price-book CSV and list it instead of the bundled book")
    p.set_defaults(func=cmd_prices)


def cmd_prices(args) -> int:
    from ..scenario.pricebook import BOOK_FORMAT, BOOK_VERSION, default_api_offer, load_book, read_csv, write_csv

    book = read_csv(args.import_csv) if args.import_csv else load_book()
    if args.chip and args.import_csv is None:
        from ..scenario.catalog import load_catalog

        if args.chip not in load_catalog():
            raise BadInput(f"--chip {args.chip!r}: not a catalog chip id (see tcoapp-cli chips)")
    rows = book.select(kind=args.kind, chip=args.chip, tier=args.tier)
    if args.csv:
        try:
            write_csv(rows, args.csv)
        except OSError as error:
            raise BadInput(f"--csv {args.csv}: cannot write: {error.strerror or error}") from None
    if args.json:
        print_json({"format": BOOK_FORMAT, "version": BOOK_VERSION, "rows": [asdict(r) for r in rows]})
        return EXIT_OK
    if args.import_csv:
        print(f"{args.import_csv}: {len(book)} rows, all valid")
    if not rows:
        print("no price rows match")
        return EXIT_OK
    table = [("id", "kind", "chip/tier", "provider / model", "price (USD)", "as of", "conf.", "source")]
    for r in rows:
        who = r.provider or r.system or ""
        if r.kind == "api":
            who = f"{r.provider} {r.model}"
        table.append((r.id, r.kind, r.chip or r.tier or "", who, r.summary(), r.as_of, r.confidence,
                      _short(r.source)))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]) - 1)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    if not args.import_csv and args.kind in (None, "api"):
        offer = default_api_offer()
        print(f"New scenarios take API prices from {offer.id} ({offer.summary()}, {offer.as_of}).")
    return EXIT_OK


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
