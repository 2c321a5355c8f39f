"""Entry point of the frozen ``tcoapp-cli``; PyInstaller builds the executable from it."""

import sys

from tcoapp.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
