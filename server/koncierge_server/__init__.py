"""Koncierge language server (pygls), a thin layer over koncierge_lang."""
