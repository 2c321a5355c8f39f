"""Bundled sample scenarios (.tco)."""
