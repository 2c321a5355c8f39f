"""Modal questions and dialogs: ask() for every question the GUI puts to the user, and the chip table."""
