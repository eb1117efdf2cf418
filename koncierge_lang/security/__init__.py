"""What hardening needs to know about the images Koncierge runs (docs/security.md)."""
