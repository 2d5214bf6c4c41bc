"""``python -m periodize.cli``."""

import sys

from . import main

sys.exit(main())
