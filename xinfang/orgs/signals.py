"""What the unit tree announces, so that the apps built on it follow without ``orgs`` knowing them.

Both are sent inside the transaction of the change (receivers' writes commit or roll back with it):

- ``unit_merged`` (kwargs: ``mapping`` {old unit id: new unit}, ``actor``, ``reason``): the letters of
  the merged unit and its departments follow to their counterparts (``letters.receivers``).
- ``unit_retiring`` (kwargs: ``unit``): each receiver answers with a refusal message, or ``""`` if it
  has nothing left at the unit; ``orgs.services.unit_retire`` refuses while any receiver objects.
"""

from __future__ import annotations

from django.dispatch import Signal

unit_merged = Signal()
unit_retiring = Signal()
