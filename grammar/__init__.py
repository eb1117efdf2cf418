"""The Koncierge grammar, shipped as package data (`koncierge_lang.grammar`).

`koncierge.lark` in this folder is the one definition of the language's syntax; the parser in
`koncierge_lang.syntax.parser` loads it with `importlib.resources`.
"""
