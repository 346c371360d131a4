"""Administrator rules on top of territorial routing, and recusal on top of the rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.console.conftest import sign_in
from tests.routing.conftest import Route, unit
from xinfang.accounts.models import User
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox
from xinfang.orgs.services import unit_retire
from xinfang.routing.models import RoutingRule
from xinfang.vocabulary import LetterType

EXIT_ENTRY_RULE = "广东出入境咨询由省厅出入境总队答复"


def make_rule(**fields: Any) -> RoutingRule:
    """A rule as the admin saves it: validated first."""
    rule = RoutingRule(**fields)
    rule.full_clean()
    rule.save()
    return rule


@pytest.fixture
def exit_entry_rule(tree: None) -> RoutingRule:
    return make_rule(
        name=EXIT_ENTRY_RULE,
        name_en="Exit-entry inquiries in Guangdong go to the provincial exit-entry corps",
        letter_type=LetterType.INQUIRY,
        police_type=PoliceType.EXIT_ENTRY,
        division_prefix="44",
        target=unit("440000-exit_entry"),
    )


def test_a_rule_sends_guangdong_exit_entry_inquiries_to_the_provincial_department(
    route: Route, exit_entry_rule: RoutingRule
) -> None:
    for mailbox in ["gd", "gd-shenzhen"]:
        proposal = route(mailbox, "440305", police_type=PoliceType.EXIT_ENTRY)

        assert proposal.unit.code == "440000-exit_entry"
        assert proposal.reason_codes == ("territorial", "city_level", "police_type", "rule")
        assert f"适用分流规则“{EXIT_ENTRY_RULE}”，由广东省公安厅出入境管理总队办理" in proposal.explanation


def test_an_inactive_rule_does_not_fire(route: Route, exit_entry_rule: RoutingRule) -> None:
    exit_entry_rule.is_active = False
    exit_entry_rule.save(update_fields=["is_active"])

    proposal = route("gd", "440305", police_type=PoliceType.EXIT_ENTRY)

    assert proposal.unit.code == "440300-exit_entry"  # the default: the city runs exit-entry (test_city_level)
    assert "rule" not in proposal.reason_codes
    assert EXIT_ENTRY_RULE not in proposal.explanation


def test_a_rule_does_not_fire_for_another_letter_type_police_type_or_place(
    route: Route, exit_entry_rule: RoutingRule
) -> None:
    # Where the rule does not fire, the city runs exit-entry (tests/routing/test_city_level.py).
    assert route("gd", "440305", police_type=PoliceType.EXIT_ENTRY, letter_type=LetterType.REQUEST).unit.code == (
        "440300-exit_entry"
    )
    assert route("gd", "440305", police_type=PoliceType.TRAFFIC).unit.code == "440305-traffic"
    assert route("bj", "110105", police_type=PoliceType.EXIT_ENTRY).unit.code == "110000-exit_entry"
    assert route("gd", "", police_type=PoliceType.EXIT_ENTRY).unit.code == "440000-exit_entry"


def test_the_first_active_rule_by_position_wins(route: Route, exit_entry_rule: RoutingRule) -> None:
    make_rule(name="深圳出入境咨询由市局答复", position=10, division_prefix="4403", target=unit("440300-exit_entry"))

    proposal = route("gd", "440305", police_type=PoliceType.EXIT_ENTRY)

    assert proposal.unit.code == "440300-exit_entry"
    assert "深圳出入境咨询由市局答复" in proposal.explanation
    assert EXIT_ENTRY_RULE not in proposal.explanation


def test_a_rule_bound_to_a_mailbox_fires_only_for_that_mailbox(route: Route) -> None:
    make_rule(
        name="深圳信箱的交通咨询由交警支队答复",
        mailbox=Mailbox.objects.get(slug="gd-shenzhen"),
        police_type=PoliceType.TRAFFIC,
        target=unit("440300-traffic"),
    )

    assert route("gd-shenzhen", "440305", police_type=PoliceType.TRAFFIC).unit.code == "440300-traffic"
    assert route("gd", "440305", police_type=PoliceType.TRAFFIC).unit.code == "440305-traffic"


def test_a_rule_never_sends_a_letter_sideways_out_of_the_mailbox(route: Route) -> None:
    make_rule(name="所有咨询交北京", letter_type=LetterType.INQUIRY, target=unit("110000"))

    proposal = route("gd", "440106", police_type=PoliceType.TRAFFIC)

    assert proposal.unit.code == "440106-traffic"
    assert proposal.reason_codes == ("territorial", "police_type", "rule_skipped")
    assert "“所有咨询交北京”" in proposal.explanation
    assert route("12389", "440106").unit.code == "110000"  # the national platform reaches everywhere


def test_recusal_overrides_a_rule_that_would_send_an_accusation_to_the_accused_unit(route: Route) -> None:
    make_rule(
        name="天河区投诉由分局督察大队办理",
        letter_type=LetterType.COMPLAINT,
        division_prefix="440106",
        target=unit("440106-inspection"),
    )

    proposal = route("gd", "440106", letter_type=LetterType.COMPLAINT, accused="440106")

    assert proposal.unit.code == "440100-inspection"
    assert proposal.reason_codes == (
        "territorial",
        "no_police_type",
        "rule",
        "recusal",
        "graded",
        "rule_overridden",
        "oversight",
    )
    assert "分流规则“天河区投诉由分局督察大队办理”指定的广州市公安局天河区分局督察大队不符合回避要求" in (
        proposal.explanation
    )
    assert not proposal.allows(unit("440106-inspection"))


def test_recusal_overrides_a_rule_that_sends_an_accusation_to_a_non_oversight_department(route: Route) -> None:
    make_rule(name="广州投诉由市局法制支队办理", letter_type=LetterType.COMPLAINT, target=unit("440100-legal"))

    proposal = route("gd", "440106", letter_type=LetterType.COMPLAINT, accused="440106")

    assert proposal.unit.code == "440100-inspection"
    assert "rule_overridden" in proposal.reason_codes


def test_a_rule_that_sends_an_accusation_to_a_higher_oversight_department_stands(route: Route) -> None:
    make_rule(
        name="广东举报统一由省厅纪检监察总队办理", letter_type=LetterType.REPORT, target=unit("440000-discipline")
    )

    proposal = route("gd", "440106", letter_type=LetterType.REPORT, accused="440106")

    assert proposal.unit.code == "440000-discipline"
    assert proposal.reason_codes == ("territorial", "no_police_type", "rule", "recusal", "graded", "rule_kept")


def test_a_rule_cannot_keep_an_accusation_of_the_leadership_one_level_up(route: Route) -> None:
    make_rule(name="广州举报由市局纪检监察支队办理", letter_type=LetterType.REPORT, target=unit("440100-discipline"))

    proposal = route("gd", "440106", letter_type=LetterType.REPORT, accused="440106", leadership=True)

    assert proposal.unit.code == "440000-discipline"
    assert "rule_overridden" in proposal.reason_codes


def test_the_admin_refuses_a_mailbox_rule_that_points_to_another_province(tree: None) -> None:
    rule = RoutingRule(name="错误规则", mailbox=Mailbox.objects.get(slug="gd"), target=unit("110000"))

    with pytest.raises(ValidationError) as raised:
        rule.full_clean()

    assert "target" in raised.value.message_dict


def test_the_admin_refuses_a_place_prefix_that_is_not_digits(tree: None) -> None:
    rule = RoutingRule(name="错误前缀", division_prefix="GD", target=unit("440000"))

    with pytest.raises(ValidationError) as raised:
        rule.full_clean()

    assert "division_prefix" in raised.value.message_dict


def test_the_admin_lists_rules_in_position_order(client: Client, exit_entry_rule: RoutingRule) -> None:
    make_rule(name="先匹配的规则", position=1, target=unit("440300"))
    admin = User.objects.create_superuser(username="root", password="correct-horse-battery-staple")
    sign_in(client, admin)

    page = client.get("/admin/routing/routingrule/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("先匹配的规则") < html.index(EXIT_ENTRY_RULE)


def test_a_rule_whose_target_was_retired_is_skipped(route: Route, acceptor: User) -> None:
    make_rule(name="博罗县交通咨询由县局答复", police_type=PoliceType.TRAFFIC, target=unit("441322"))
    unit_retire(unit=unit("441322"), actor=acceptor, reason="区划调整")

    proposal = route("gd", "441302", police_type=PoliceType.TRAFFIC)

    assert proposal.unit.code == "441302-traffic"
    assert proposal.reason_codes == ("territorial", "police_type", "rule_skipped")
    assert "已撤销，未适用" in proposal.explanation
