"""CloudTrail Insights events: unusual API call and error rates, each a Start and an End."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from trailhound_demo.events import iso, uuid4
from trailhound_demo.organization import Population

DAY = 86400
HOUR = 3600


@dataclass(frozen=True, slots=True)
class Insight:
    """One insight of one site, from its Start to its End."""

    alias: str
    region: str
    source: str
    name: str
    kind: str  # ApiCallRateInsight or ApiErrorRateInsight
    start: int
    minutes: int
    caller: str  # "<alias>/<region>/<principal name>" of the main contributor
    agent: str
    error: str | None
    baseline: float
    rate: float


INSIGHTS = (
    Insight(
        "development",
        "us-east-1",
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        "ApiCallRateInsight",
        2 * DAY + 9 * HOUR + 41 * 60,
        60,
        "development/us-east-1/ec2",
        "aws-sdk-go-v2/1.32.3",
        None,
        0.0861,
        2.0,
    ),
    Insight(
        "production",
        "eu-west-1",
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        "ApiErrorRateInsight",
        5 * DAY + 13 * HOUR + 20 * 60,
        45,
        "production/eu-west-1/lambda/orders-api",
        "Boto3/1.35.54",
        "AccessDenied",
        0.0012,
        0.93,
    ),
)


def _contributor(population: Population, insight: Insight) -> str:
    """The ARN of the session behind most of the calls (the first match of ``caller``)."""
    for key, p in population.principals.items():
        if key.startswith(insight.caller):
            return p.arn
    return f"arn:aws:iam::{population.site(insight.alias, insight.region).account}:root"


def _record(
    insight: Insight, account: str, arn: str, state: str, shared: str, rng: random.Random
) -> dict[str, Any]:
    insight_average = insight.rate
    statistics: dict[str, Any] = {
        "baseline": {"average": insight.baseline},
        "insight": {"average": insight_average},
    }
    if state == "End":
        statistics["insightDuration"] = insight.minutes
        statistics["baselineDuration"] = 10079
    error_value = insight.error or "null"
    attributions = [
        {
            "attribute": "userIdentityArn",
            "insight": [{"value": arn, "average": insight_average}],
            "baseline": [{"value": arn, "average": insight.baseline}],
        },
        {
            "attribute": "userAgent",
            "insight": [{"value": insight.agent, "average": insight_average}],
            "baseline": [{"value": insight.agent, "average": insight.baseline}],
        },
        {
            "attribute": "errorCode",
            "insight": [{"value": error_value, "average": insight_average}],
            "baseline": [{"value": "null", "average": insight.baseline}],
        },
    ]
    end = insight.start + insight.minutes * 60
    return {
        "eventVersion": "1.08",
        "eventTime": iso(insight.start if state == "Start" else end),
        "awsRegion": insight.region,
        "eventID": uuid4(rng),
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": account,
        "sharedEventID": shared,
        "insightDetails": {
            "state": state,
            "eventSource": insight.source,
            "eventName": insight.name,
            "insightType": insight.kind,
            "insightContext": {"statistics": statistics, "attributions": attributions},
        },
        "eventCategory": "Insight",
    }


def insight_files(population: Population, seed: int) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(account, region, delivery time, record) for each Insights file: a Start or an End."""
    rng = random.Random(f"{seed}/insights")
    out: list[tuple[str, str, int, dict[str, Any]]] = []
    for insight in INSIGHTS:
        account = population.site(insight.alias, insight.region).account
        arn = _contributor(population, insight)
        shared = uuid4(rng)
        for state, at in (("Start", insight.start), ("End", insight.start + insight.minutes * 60)):
            record = _record(insight, account, arn, state, shared, rng)
            out.append((account, insight.region, at + 300 + rng.randrange(240), record))
    return out
