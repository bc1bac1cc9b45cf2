"""`python -m kubetui`: the same as the `kubetui` command."""

import sys

from kubetui.cli import main

if __name__ == "__main__":
    sys.exit(main())
