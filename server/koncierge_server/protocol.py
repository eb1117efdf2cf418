"""Koncierge's own LSP requests, declared once. Documented in docs/lsp-extensions.md.

The server registers a handler for each name in `CUSTOM_REQUESTS` from the module named in
`HANDLER_MODULES`; a module that is not there yet (the diagram, coming with the diagram issue) is
skipped. A handler is `handle(snapshot, params)`, run in the server's request thread, or an async
`handle(snapshot, params, run_elsewhere)` that runs its heavy steps in the server's drawing
process; adding a module is all it takes to serve `koncierge/diagram`.
"""

from __future__ import annotations

MANIFESTS = "koncierge/manifests"
ARCHITECTURE = "koncierge/architecture"
DIAGRAM = "koncierge/diagram"

CUSTOM_REQUESTS = {"manifests": MANIFESTS, "architecture": ARCHITECTURE, "diagram": DIAGRAM}

# Request name -> (module under koncierge_server, function in it taking (server, params)).
HANDLER_MODULES = {
    MANIFESTS: ("custom", "manifests_request"),
    ARCHITECTURE: ("custom", "architecture_request"),
    DIAGRAM: ("diagram", "handle"),
}
