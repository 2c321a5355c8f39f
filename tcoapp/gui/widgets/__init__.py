"""Small reusable widgets and the short number formats they display."""
