"""The ``id_card`` scope of the test provider: the resident ID number, in the claim ``id_number``."""

from __future__ import annotations

from typing import Any

from oidc_provider.lib.claims import ScopeClaims

from tests.oidc_provider.site import id_number_of


class IdCardScopeClaims(ScopeClaims):  # type: ignore[misc]
    info_id_card = ("居民身份证", "您的公民身份号码。")

    def scope_id_card(self) -> dict[str, Any]:
        return {"id_number": id_number_of(self.user)}
