"""Entry point of the frozen ``tcoapp`` (the desktop app); PyInstaller builds the executable from it."""

import sys

from tcoapp.gui.main import main

if __name__ == "__main__":
    sys.exit(main())
