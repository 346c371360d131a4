"""Staff sign-in under /console/: password, second factor, enrolment, sign-out, the security page."""

from __future__ import annotations

from django.urls import path

from xinfang.signin import views

app_name = "signin"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("login/enrol/", views.enrol, name="enrol"),
    path("login/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("logout/", views.logout, name="logout"),
    path("security/", views.security, name="security"),
    path("security/authenticator/", views.security_reenrol, name="security_reenrol"),
    path("security/recovery-codes/", views.security_recovery_codes, name="security_recovery_codes"),
]
