"""`python -m kubetui`: the same as the `kubetui` command."""

import sys

from kubetui.cli import main

sys.exit(main())
