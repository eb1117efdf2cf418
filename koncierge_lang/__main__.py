"""`python -m koncierge_lang` runs the `koncierge` command line."""

import sys

from koncierge_lang.cli import main

sys.exit(main())
