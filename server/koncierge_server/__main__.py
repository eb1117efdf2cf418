"""`python -m koncierge_server [--stdio | --tcp HOST:PORT]`."""

from __future__ import annotations

import sys

from koncierge_lang.commands.lsp import main

if __name__ == "__main__":
    sys.exit(main())
