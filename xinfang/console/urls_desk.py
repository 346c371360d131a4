"""Console URLs for the telephone seats and the front desk."""

from __future__ import annotations

from django.urls import URLPattern, path

from xinfang.console import views_desk as v
from xinfang.console import views_seat as seat
from xinfang.console import views_suggest

urlpatterns: list[URLPattern] = [
    path("call", seat.call, name="call"),  # the screen-pop URL: /console/call?number=…
    path("call/registered/<uuid:public_id>/", seat.call_registered, name="call_registered"),
    path("call/registered/<uuid:public_id>/receipt.json", seat.call_receipt, name="call_receipt"),
    path("call/emergency-check", seat.call_emergency_check, name="call_emergency_check"),
    path("lookup/divisions", seat.lookup_divisions, name="lookup_divisions"),
    path("lookup/units", seat.lookup_units, name="lookup_units"),
    path("desk/", v.desk, name="desk_queue"),
    path("desk/bulk", v.desk_bulk, name="desk_bulk"),
    path("desk/<uuid:public_id>/", v.desk_letter, name="desk_letter"),
    path("desk/<uuid:public_id>/suggestions", views_suggest.desk_apply_suggestions, name="desk_apply_suggestions"),
    path("identity/<uuid:public_id>/", v.identity_reveal, name="identity_reveal"),
]
