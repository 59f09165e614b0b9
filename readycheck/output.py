"""Writing reports to files without ever leaving a half-written one behind.

The one atomic writer is readycheck.atomic (also used by the caches); this
name stays for the report writers that import it from here.
"""

from __future__ import annotations

from readycheck.atomic import write_atomic

__all__ = ["write_atomic"]
