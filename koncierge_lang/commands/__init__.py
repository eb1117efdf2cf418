"""The CLI's subcommands: each module defines `add_parser(subparsers)` and sets `run`.

`koncierge_lang.cli` imports the modules listed in `COMMAND_MODULES`, in that order.
"""

COMMAND_MODULES = ("check", "fmt", "build", "secrets", "lsp", "diagram", "visualize", "explain")
