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
