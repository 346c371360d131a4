"""Letter services (issue 3 fills these in)."""

from __future__ import annotations
