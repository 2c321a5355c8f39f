"""Documents and their plumbing: the observable scenario with its undo stack, autosave and settings, the background worker."""
