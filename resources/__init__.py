"""Bundled data: the chip catalog, industry reference figures, icons."""
