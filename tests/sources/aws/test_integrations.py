"""An integration and its validation: names, queue URLs, roles, accounts, the masked view."""

from __future__ import annotations

import pytest

from trailhound.sources.aws.integrations import (
    Integration,
    IntegrationError,
    parse_accounts,
)

QUEUE = "https://sqs.eu-west-1.amazonaws.com/111122223333/trail"
ROLE = "arn:aws:iam::111122223333:role/trailhound-reader"


def test_a_new_integration_takes_its_region_and_partition_from_the_queue() -> None:
    made = Integration.create(
        "prod", QUEUE, role_arn=ROLE, external_id="x", accounts="111122223333"
    )
    assert (made.region, made.partition, made.accounts) == ("eu-west-1", "aws", ("111122223333",))
    assert made.connection.external_id == "x" and made.connection.region == "eu-west-1"
    assert made.keeps_account("111122223333") and made.keeps_account(None)
    assert not made.keeps_account("444455556666")
    view = made.public_view()
    assert view["external_id"] == "set (hidden)" and "x" not in repr(made)


@pytest.mark.parametrize(
    ("name", "queue", "options", "message"),
    [
        ("../etc", QUEUE, {}, "bad integration name"),
        ("prod", "sqs://trail", {}, "must be an http"),
        ("prod", QUEUE, {"external_id": "x"}, "needs a role ARN"),
        ("prod", QUEUE, {"role_arn": "role/x"}, "not a role ARN"),
        ("prod", QUEUE, {"accounts": "1234"}, "12-digit"),
    ],
)
def test_invalid_integrations_are_refused(
    name: str, queue: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(IntegrationError, match=message):
        Integration.create(name, queue, **options)  # type: ignore[arg-type]


def test_account_lists() -> None:
    assert parse_accounts(None) == ()
    assert parse_accounts(" 111122223333 , 444455556666,") == ("111122223333", "444455556666")


def test_changed_settings_are_validated_like_new_ones() -> None:
    made = Integration.create(
        "prod", QUEUE, role_arn=ROLE, external_id="x", accounts="111122223333"
    )
    wider = made.changed(accounts="all", state="PAUSED")
    assert wider.accounts == () and wider.state.value == "paused"
    assert wider.role_arn == ROLE and wider.external_id == "x"  # untouched settings stay
    moved = made.changed(queue_url="https://sqs.us-gov-west-1.amazonaws.com/111122223333/t")
    assert (moved.region, moved.partition) == ("us-gov-west-1", "aws-us-gov")
    plain = made.changed(role_arn="", external_id="")
    assert plain.role_arn is None and plain.external_id is None
    with pytest.raises(IntegrationError, match="12-digit"):
        made.changed(accounts="11112222333")
    with pytest.raises(IntegrationError, match="needs a role ARN"):
        made.changed(role_arn="")  # the external ID would be left without its role
    with pytest.raises(IntegrationError, match="enabled or paused, not 'deleted'"):
        made.changed(state="deleted")
    with pytest.raises(IntegrationError, match="cannot change name"):
        made.changed(name="other")
