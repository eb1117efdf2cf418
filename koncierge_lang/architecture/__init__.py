"""The architecture stage."""
