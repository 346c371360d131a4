from __future__ import annotations

from django.urls import path

from xinfang.portal import (
    views,
    views_account,
    views_identity,
    views_letters,
    views_notices,
    views_public,
    views_published,
    views_transparency,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<slug:slug>/", views.mailbox, name="mailbox"),
    path("m/<slug:slug>/write/", views_letters.write, name="write"),
    path("m/<slug:slug>/statistics/", views_public.statistics, name="public_statistics"),
    path("embed/<slug:slug>.js", views_public.embed_script, name="embed_script"),
    path("embed/<slug:slug>/", views_public.embed_frame, name="embed_frame"),
    path("m/<slug:slug>/published/", views_published.published_list, name="published_list"),
    path("m/<slug:slug>/published/<uuid:public_id>/", views_published.published_detail, name="published_detail"),
    path("places/<str:code>/", views.places, name="places"),
    path("lookup/", views.lookup, name="lookup"),
    path("lookup/<uuid:public_id>/", views.lookup_letter, name="lookup_letter"),
    path("lookup/<uuid:public_id>/receipt.json", views_transparency.receipt_looked_up, name="receipt_looked_up"),
    path("my/letters/<uuid:public_id>/receipt.json", views_transparency.receipt_mine, name="receipt_mine"),
    path("transparency/head", views_transparency.head, name="transparency_head"),
    path("transparency/head/<int:size>", views_transparency.head_at, name="transparency_head_at"),
    path("transparency/consistency", views_transparency.consistency, name="transparency_consistency"),
    path("transparency/inclusion", views_transparency.inclusion, name="transparency_inclusion"),
    path("transparency/verify/", views_transparency.verify, name="transparency_verify"),
    path("my/letters/", views_letters.my_letters, name="my_letters"),
    path("my/letters/<uuid:public_id>/", views_letters.letter_detail, name="letter"),
    path("my/letters/<uuid:public_id>/submitted/", views_letters.submitted, name="submitted"),
    path("my/notices/<uuid:public_id>/download", views_notices.notice_download, name="notice_download"),
    path("my/letters/<uuid:public_id>/<slug:action>/", views_letters.letter_action, name="letter_action"),
    path("account/sign-up/", views_account.sign_up, name="sign_up"),
    path("account/sign-in/", views_account.sign_in, name="sign_in"),
    path("account/sign-in/code/", views_account.sign_in_code, name="sign_in_code"),
    path("account/reset/", views_account.reset_password, name="reset_password"),
    path("account/sign-out/", views_account.sign_out, name="sign_out"),
    path("account/code/", views_account.send_code, name="send_code"),
    path("account/identity/", views_identity.my_identity, name="my_identity"),
    path("account/identity/platform/", views_identity.oidc_start, name="oidc_start"),
    path("account/identity/platform/callback/", views_identity.oidc_callback, name="oidc_callback"),
]
