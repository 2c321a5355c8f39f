"""The price book: dated, sourced prices for cloud rental, API tokens, servers and chips.

The bundled book is ``resources/prices.json``::

    {"format": "tcoapp-price-book", "version": 1, "rows": [{"id": ..., "kind": "cloud", ...}, ...]}

Four kinds of row (every row has ``id``, ``kind``, ``as_of`` (YYYY-MM-DD), ``source``
and ``confidence``; the optional ``date_precision``, ``source_type`` and ``notes`` document it):

- ``cloud``: ``chip``, ``provider``, ``provider_class`` (hyperscaler or specialist),
  ``term`` (on-demand, 1-year, 3-year, spot, reserved, reserved-short, serverless),
  ``usd_per_chip_hour``.
- ``api``: ``tier`` (frontier, mid, small, open-weight), ``provider``, ``model``,
  ``usd_per_m_input``, ``usd_per_m_cached_input`` (empty = not published),
  ``usd_per_m_output`` (USD per 1e6 tokens) and ``batch_discount`` (fraction off, empty = none published).
- ``server``: ``chip``, ``system``, ``chips_per_server``, ``usd_per_server``.
- ``chip``: ``chip``, ``usd_per_chip`` (one accelerator bought alone).

A company can replace the book with its negotiated prices as CSV (:func:`write_csv`,
:func:`read_csv`): one row per price, a ``kind`` column and the columns above, an
empty cell for a missing value. A bad row gives a :class:`ScenarioError` naming the
row number and the field.

Catalog policy (``resources/CATALOG.md``): a chip's ``cloud_usd_per_hour`` is
:func:`catalog_cloud_rate` - the newest on-demand rate from a specialist GPU cloud
with confidence medium or better, the lowest of equally new ones; failing that,
the newest hyperscaler on-demand rate.
"""

from __future__ import annotations

import csv
import datetime as _dt
import errno
import functools
import io
import json
import math
import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterable, Optional

from tcoapp.paths import resource_file
from tcoapp.scenario.errors import NO_VALUE, ScenarioError

BOOK_FORMAT = "tcoapp-price-book"
BOOK_VERSION = 1
KINDS = ("cloud", "api", "server", "chip")
TERMS = ("on-demand", "1-year", "3-year", "spot", "reserved", "reserved-short", "serverless")
TIERS = ("frontier", "mid", "small", "open-weight")
PROVIDER_CLASSES = ("hyperscaler", "specialist")
CONFIDENCES = ("high", "medium", "low-medium", "low")
DATE_PRECISIONS = ("day", "month", "year")
USABLE_CONFIDENCE = ("high", "medium")
DEFAULT_API_OFFER_ID = "api-anthropic-claude-sonnet-4-6"
"""The offer new scenarios take their API prices from: a sourced mid-tier model."""


@dataclass(frozen=True)
class PriceRow:
    """One dated, sourced price. Fields that do not apply to the row's kind are None."""

    id: str
    kind: str
    as_of: str
    source: str
    confidence: str
    date_precision: str = "day"
    source_type: str = ""
    notes: str = ""
    chip: Optional[str] = None
    provider: Optional[str] = None
    provider_class: Optional[str] = None
    term: Optional[str] = None
    usd_per_chip_hour: Optional[float] = None
    tier: Optional[str] = None
    model: Optional[str] = None
    usd_per_m_input: Optional[float] = None
    usd_per_m_cached_input: Optional[float] = None
    usd_per_m_output: Optional[float] = None
    batch_discount: Optional[float] = None
    system: Optional[str] = None
    chips_per_server: Optional[int] = None
    usd_per_server: Optional[float] = None
    usd_per_chip: Optional[float] = None

    @property
    def date(self) -> _dt.date:
        return _dt.date.fromisoformat(self.as_of)

    @property
    def low_confidence(self) -> bool:
        return self.confidence not in USABLE_CONFIDENCE

    def summary(self) -> str:
        """The price in one short phrase (``$3.29/chip-h on-demand``)."""
        if self.kind == "cloud":
            return f"${self.usd_per_chip_hour:g}/chip-h {self.term}"
        if self.kind == "api":
            cached = "-" if self.usd_per_m_cached_input is None else f"{self.usd_per_m_cached_input:g}"
            text = f"${self.usd_per_m_input:g} in / {cached} cached / {self.usd_per_m_output:g} out per 1M"
            if self.batch_discount:
                text += f", batch -{self.batch_discount:.0%}"
            return text
        if self.kind == "server":
            return f"${self.usd_per_server:,.0f} per {self.chips_per_server} chips"
        return f"${self.usd_per_chip:,.0f} per chip"


FIELD_NAMES = tuple(f.name for f in fields(PriceRow))
_TEXT = {"id", "kind", "as_of", "source", "confidence", "date_precision", "source_type", "notes", "chip", "provider",
         "provider_class", "term", "tier", "model", "system"}
_REQUIRED = {
    "cloud": ("chip", "provider", "term", "usd_per_chip_hour"),
    "api": ("tier", "provider", "model", "usd_per_m_input", "usd_per_m_output"),
    "server": ("chip", "system", "chips_per_server", "usd_per_server"),
    "chip": ("chip", "usd_per_chip"),
}
_CHOICES = {"kind": KINDS, "term": TERMS, "tier": TIERS, "provider_class": PROVIDER_CLASSES,
            "confidence": CONFIDENCES, "date_precision": DATE_PRECISIONS}


def make_row(data: dict[str, Any], *, where: str, file: Any = None, imported: bool = True) -> PriceRow:
    """Check one row and build it.

    Parameters
    ----------
    data : dict
        Field name to value; text values from a CSV are converted, ``""`` and None mean missing.
    where : str
        How errors name the row (``"rows[3]"``, ``"row 4"``).
    imported : bool
        A book the user imports: its ``as_of`` must not be after today. The bundled book is not
        held to the clock (a computer whose clock is set back must still start the app).

    Raises
    ------
    ScenarioError
        Naming ``where.field``, the value and the rule.
    """
    unknown = sorted(set(data) - set(FIELD_NAMES))
    if unknown:
        raise ScenarioError(f"unknown field (known: {', '.join(FIELD_NAMES)})", path=f"{where}.{unknown[0]}",
                            value=data[unknown[0]], file=file)
    values: dict[str, Any] = {}
    for name in FIELD_NAMES:
        raw = data.get(name)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            values[name] = None
            continue
        path = f"{where}.{name}"
        if name in _TEXT:
            if not isinstance(raw, str):
                raise ScenarioError("must be text", path=path, value=raw, file=file)
            from .schema import _control_character

            bad = _control_character(raw, multiline=name == "notes")
            if bad is not None:  # an escape sequence would reach the terminal of `tcoapp-cli prices`
                raise ScenarioError(f"must not contain control characters such as U+{ord(bad):04X}", path=path,
                                    value=raw, file=file)
            values[name] = raw
        else:
            values[name] = _number(raw, name, path, file)
    for name in ("id", "kind", "as_of", "source", "confidence"):
        if values[name] is None:
            raise ScenarioError("is required", path=f"{where}.{name}", value=NO_VALUE, file=file)
    for name, choices in _CHOICES.items():
        if values[name] is not None and values[name] not in choices:
            raise ScenarioError(f"must be one of {', '.join(choices)}", path=f"{where}.{name}", value=values[name],
                                file=file)
    try:
        as_of = _dt.date.fromisoformat(values["as_of"])
    except ValueError:
        raise ScenarioError("must be a date YYYY-MM-DD", path=f"{where}.as_of", value=values["as_of"],
                            file=file) from None
    if imported and as_of > _today() + _dt.timedelta(days=1):  # a day's grace for time zones
        # a price "seen" in the future would count as the newest offer
        raise ScenarioError(f"must not be after today ({_today().isoformat()}): the date the price "
                            "was seen", path=f"{where}.as_of", value=values["as_of"], file=file)
    for name in _REQUIRED[values["kind"]]:
        if values[name] is None:
            raise ScenarioError(f"is required for a {values['kind']} row", path=f"{where}.{name}", value=NO_VALUE,
                                file=file)
    if values["batch_discount"] is not None and not 0 <= values["batch_discount"] < 1:
        raise ScenarioError("must be >= 0 and < 1 (a fraction off)", path=f"{where}.batch_discount",
                            value=values["batch_discount"], file=file)
    if values["chips_per_server"] is not None:
        if values["chips_per_server"] != int(values["chips_per_server"]) or values["chips_per_server"] < 1:
            raise ScenarioError("must be an integer >= 1", path=f"{where}.chips_per_server",
                                value=values["chips_per_server"], file=file)
        values["chips_per_server"] = int(values["chips_per_server"])
    if values["date_precision"] is None:
        values["date_precision"] = "day"
    for name in ("source_type", "notes"):
        values[name] = values[name] or ""
    return PriceRow(**values)


def _today() -> _dt.date:
    """Today by the computer's clock (a function so that tests can set the clock)."""
    return _dt.date.today()


#: The highest price of each kind a row may hold, in USD (every price in a book is in USD): the
#: bounds of the scenario fields it fills, read as USD (a cloud rate of at most USD 1 million per
#: chip-hour, an API price of at most USD 1 million per million tokens, a chip of at most USD 1
#: billion, a server of at most 1,024 of them). A scenario in another currency converts an offer
#: when it is applied, and the field's own bound (in that currency) is checked then.
_HIGHEST = {"usd_per_chip_hour": 1e6, "usd_per_m_input": 1e6, "usd_per_m_cached_input": 1e6,
            "usd_per_m_output": 1e6, "usd_per_chip": 1e9, "usd_per_server": 1024 * 1e9, "chips_per_server": 1024}
#: Thousands separated by commas, as spreadsheets write them (``$1,234,567.5``).
_THOUSANDS = re.compile(r"\$?\d{1,3}(,\d{3})+(\.\d*)?")


def _number(raw: Any, name: str, path: str, file: Any) -> float:
    if isinstance(raw, bool):
        raise ScenarioError("must be a number", path=path, value=raw, file=file)
    if isinstance(raw, str):
        if "," in raw and not _THOUSANDS.fullmatch(raw):
            # "2,69" is 2.69 where a comma marks decimals, but 269 once the comma is dropped
            raise ScenarioError("must be a number with a point for decimals (2.69); a comma may only "
                                "separate thousands (1,000)", path=path, value=raw, file=file)
        try:
            raw = float(raw.replace(",", "").removeprefix("$"))
        except ValueError:
            raise ScenarioError("must be a number", path=path, value=raw, file=file) from None
    if not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise ScenarioError("must be a finite number", path=path, value=raw, file=file)
    if name == "batch_discount":
        return float(raw)
    if raw < 0 or (raw == 0 and name != "usd_per_m_cached_input"):
        raise ScenarioError("must be > 0 (leave it empty when unknown)", path=path, value=raw, file=file)
    if name in _HIGHEST and raw > _HIGHEST[name]:
        cap = f"{_HIGHEST[name]:,.0f}" if name == "chips_per_server" else f"USD {_HIGHEST[name]:,.0f}"
        raise ScenarioError(f"must be at most {cap}", path=path, value=raw, file=file)
    return float(raw)


class PriceBook:
    """Rows by id, in book order, with look-ups."""

    def __init__(self, rows: Iterable[PriceRow]):
        self.rows: tuple[PriceRow, ...] = tuple(rows)
        seen: dict[str, int] = {}
        for i, row in enumerate(self.rows):
            if row.id in seen:
                raise ScenarioError(f"duplicate id (also rows[{seen[row.id]}])", path=f"rows[{i}].id", value=row.id)
            seen[row.id] = i
        self._by_id = {row.id: row for row in self.rows}

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: str) -> PriceRow:
        try:
            return self._by_id[row_id]
        except KeyError:
            raise ScenarioError("no such price row", path="id", value=row_id) from None

    def select(self, *, kind: str | None = None, chip: str | None = None, tier: str | None = None,
               term: str | None = None) -> list[PriceRow]:
        """Rows matching every given filter, newest first (then book order)."""
        rows = [r for r in self.rows
                if (kind is None or r.kind == kind) and (chip is None or r.chip == chip)
                and (tier is None or r.tier == tier) and (term is None or r.term == term)]
        return sorted(rows, key=lambda r: r.as_of, reverse=True)

    def cloud_offers(self, chip: str, term: str | None = None) -> list[PriceRow]:
        return self.select(kind="cloud", chip=chip, term=term)

    def api_offers(self, tier: str | None = None) -> list[PriceRow]:
        return self.select(kind="api", tier=tier)

    def server_offers(self, chip: str) -> list[PriceRow]:
        return self.select(kind="server", chip=chip)

    def chip_offers(self, chip: str) -> list[PriceRow]:
        return self.select(kind="chip", chip=chip)

    def catalog_cloud_rate(self, chip: str) -> PriceRow | None:
        """The rate the catalog's ``cloud_usd_per_hour`` takes (policy in the module docstring)."""
        usable = [r for r in self.cloud_offers(chip, "on-demand") if not r.low_confidence]
        for cls in ("specialist", "hyperscaler"):
            rows = [r for r in usable if r.provider_class == cls]
            if rows:
                newest = max(r.as_of for r in rows)
                return min((r for r in rows if r.as_of == newest), key=lambda r: r.usd_per_chip_hour)
        return None


def load_book(path: str | Path | None = None) -> PriceBook:
    """The bundled price book, or the JSON book at ``path``.

    Raises
    ------
    ScenarioError
        With the file and ``rows[i].field`` of the first bad row.
    """
    if path is None:
        return _bundled()
    return _read_json(Path(path))


@functools.lru_cache(maxsize=1)
def _bundled() -> PriceBook:
    return _read_json(resource_file("prices.json"), imported=False)


def _read_json(path: Path, *, imported: bool = True) -> PriceBook:
    from .files import read_bounded

    raw = read_bounded(path, "price books")  # a FIFO or a device is refused, not read for ever
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise ScenarioError(f"cannot read: {error}", file=path) from None
    if not isinstance(data, dict) or data.get("format") != BOOK_FORMAT:
        raise ScenarioError(f'must be "{BOOK_FORMAT}"', path="format",
                            value=data.get("format", NO_VALUE) if isinstance(data, dict) else NO_VALUE, file=path)
    if type(data.get("version")) is not int or data["version"] > BOOK_VERSION:
        raise ScenarioError(f"must be an integer <= {BOOK_VERSION}", path="version",
                            value=data.get("version", NO_VALUE), file=path)
    rows = data.get("rows")
    if not isinstance(rows, list):
        raise ScenarioError("must be a list of rows", path="rows", value=NO_VALUE, file=path)
    built = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ScenarioError("must be an object", path=f"rows[{i}]", value=row, file=path)
        built.append(make_row(row, where=f"rows[{i}]", file=path, imported=imported))
    try:
        return PriceBook(built)
    except ScenarioError as error:
        raise ScenarioError(error.rule, path=error.path, value=error.value, file=path) from None


def book_as_json(book: PriceBook) -> dict[str, Any]:
    return {"format": BOOK_FORMAT, "version": BOOK_VERSION, "rows": [asdict(r) for r in book.rows]}


def write_csv(book: PriceBook | Iterable[PriceRow], path: str | Path | None = None) -> str:
    """The rows as CSV text (every field a column, empty for None); also written to ``path`` if given.

    The file is written atomically (a temporary file renamed over it).
    """
    rows = book.rows if isinstance(book, PriceBook) else tuple(book)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else repr(v) if isinstance(v, float) else v)
                         for k, v in asdict(row).items()})
    text = out.getvalue()
    if path is not None:
        from .files import _replace_atomically, check_output_target

        target = Path(os.path.realpath(path))  # a link stays a link
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        check_output_target(target)  # never rename over a FIFO or a device such as /dev/null
        _replace_atomically(target, text.encode("utf-8"))  # flushed; the temporary is removed on failure
    return text


def read_csv(path: str | Path) -> PriceBook:
    """A price book from CSV (a header row naming fields; ``kind`` and the kind's fields are needed).

    Raises
    ------
    ScenarioError
        Naming the file, ``row N.field`` (N counts data rows from 1; the header is line 1,
        row N is on line N + 1), the value and the rule.
    """
    from .files import read_bounded

    path = Path(path)
    raw = read_bounded(path, "price books")  # a FIFO or a device is refused, not read for ever
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"not UTF-8 text (byte 0x{raw[error.start]:02x} at position {error.start})",
                            file=path) from None
    if "\x00" in text:
        raise ScenarioError("not a text file (it holds NUL bytes)", file=path)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ScenarioError("no header row", file=path)
    built = []
    for n, record in enumerate(reader, start=1):
        if None in record:
            raise ScenarioError("has more cells than the header", path=f"row {n}", value=NO_VALUE, file=path)
        built.append(make_row(record, where=f"row {n}", file=path))
    try:
        return PriceBook(built)
    except ScenarioError as error:
        raise ScenarioError(error.rule, path=error.path.replace("rows[", "row index ["), value=error.value,
                            file=path) from None


def default_api_offer(book: PriceBook | None = None) -> PriceRow:
    """The sourced mid-tier API offering new scenarios take their API prices from (never 0)."""
    return (book or load_book()).get(DEFAULT_API_OFFER_ID)


def api_fields(offer: PriceRow, usd_to_currency: float = 1.0) -> dict[str, float]:
    """The inference fields an API offer fills: ``api_price_input``, ``api_price_cached_input``, ``api_price_output``."""
    cached = offer.usd_per_m_cached_input if offer.usd_per_m_cached_input is not None else offer.usd_per_m_input
    return {"api_price_input": offer.usd_per_m_input * usd_to_currency,
            "api_price_cached_input": cached * usd_to_currency,
            "api_price_output": offer.usd_per_m_output * usd_to_currency}
