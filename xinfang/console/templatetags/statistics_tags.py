"""Showing a statistics figure: "—" when nothing was counted, a percent sign for rates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure_value(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value}%" if unit == "%" else str(value)


@register.filter
def dictget(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)
