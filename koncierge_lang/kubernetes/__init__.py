"""The kubernetes stage."""
