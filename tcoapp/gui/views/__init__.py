"""The views in the main window: editor, overview (KPIs and charts), tables, compare, sensitivity, planner."""
