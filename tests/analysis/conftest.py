"""The explanations' complaint (a letter whose writer is the cast's citizen) for the tests that read a letter."""

from __future__ import annotations

from tests.explanations.conftest import complaint, gz_handler, gz_inspection, on_received_day

__all__ = ["complaint", "gz_handler", "gz_inspection", "on_received_day"]
