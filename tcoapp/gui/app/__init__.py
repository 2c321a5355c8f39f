"""The application shell: the main window with its menus and files, the theme, and the help dialogs."""
