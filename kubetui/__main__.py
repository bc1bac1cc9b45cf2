"""`python -m kubetui`: the same entry as the `kubetui` command."""

import sys

from kubetui.cli import main

if __name__ == "__main__":
    sys.exit(main())
