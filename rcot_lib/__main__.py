"""``python -m rcot_lib`` is the ``rcot`` command."""

import sys

from rcot_lib.cli import main

sys.exit(main())
