"""The fields of Open311's ``POST requests`` that the product reads, each within the limits of the
letter's columns and the portal's form (``attribute[code]`` fields by their Open311 names)."""

from __future__ import annotations

from typing import Any

from django import forms

TEXT_MAX = 5000  # as the portal's form and the partner API

ATTRIBUTE_LIMITS = {
    "id_number": 25,
    "subject": 200,  # Letter.subject
    "division_code": 12,
    "police_type": 20,
    "accused_officer_name": 60,
    "accused_badge_number": 20,
    "accused_officer_post": 60,
    "accuses_leadership": 5,
    "consent_to_publish": 5,
    "not_emergency": 5,
}


class RequestForm(forms.Form):
    service_code = forms.CharField(max_length=80)
    description = forms.CharField(max_length=TEXT_MAX)
    address_string = forms.CharField(max_length=300, required=False)
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    long = forms.FloatField(min_value=-180, max_value=180, required=False)
    phone = forms.CharField(max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, limit in ATTRIBUTE_LIMITS.items():
            self.fields[f"attribute[{code}]"] = forms.CharField(max_length=limit, required=False)

    def attribute(self, code: str) -> str:
        return str(self.cleaned_data[f"attribute[{code}]"])

    def flag(self, code: str) -> bool:
        return self.attribute(code).lower() in ("true", "1", "yes")

    def problems(self) -> list[str]:
        """Each field's errors as ``name: message``."""
        return [f"{name}: {message}" for name, messages in self.errors.items() for message in messages]
