"""Named exceptions of the engine."""

from __future__ import annotations


class EngineError(ValueError):
    """A scenario of a batch cannot be computed.

    Attributes
    ----------
    index : int
        Position of the first failing scenario in the batch.
    field : str
        Dotted path of the scenario field the user can change to fix it
        (``"inference.chip_price"``, ``"inference.chips_per_replica"``, ...).
    rule : str
        What is wrong, in words, e.g. ``"is null and chip 'l4' has no price_usd"``.
    """

    def __init__(self, index: int, field: str, rule: str):
        self.index = index
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")
