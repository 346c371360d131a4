"""Counting attempts in Django's cache: the anonymous lookup's brake against guessing.

Each scope counts hits per identifier in a fixed window. Identifiers (client addresses, tracking
numbers) are hashed before they become cache keys.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, ident: str) -> str:
    return f"xinfang:throttle:{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"


def count(scope: str, ident: str) -> int:
    """How many hits ``ident`` has in the current window of ``scope``."""
    return int(cache.get(_key(scope, ident), 0))


def hit(scope: str, ident: str, *, window_seconds: int) -> int:
    """Record one hit and return the new count; the window starts with the first hit."""
    key = _key(scope, ident)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def client_address(request_meta: dict[str, object]) -> str:
    """The client's address as the server saw it (a proxy in front must be trusted explicitly)."""
    return str(request_meta.get("REMOTE_ADDR") or "unknown")
