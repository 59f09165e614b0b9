"""readycheck: a production-readiness linter."""

__version__ = "0.1.0"
