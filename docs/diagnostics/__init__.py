"""The diagnostic pages, shipped as package data (`koncierge_lang.diagnostic_pages`).

Editors link each diagnostic's code to its page here (`koncierge_lang.render.documentation_url`).
The pages are generated from the catalogue: `make docs`.
"""
