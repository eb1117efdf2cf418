"""The requirements stage."""
