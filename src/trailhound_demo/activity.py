"""Background activity: what each kind of caller does, and how often, at one site."""

from __future__ import annotations

from bisect import bisect
from itertools import accumulate
from typing import Any

from trailhound_demo import access
from trailhound_demo import catalogue as cat
from trailhound_demo.calls import Builder
from trailhound_demo.catalogue import Weighted
from trailhound_demo.events import Ctx
from trailhound_demo.organization import HOME_REGION, Principal, Site

# the share of a caller's calls that are refused (of those that can fail at all)
FAIL_RATES = {
    "engineer-cli": 0.03,
    "engineer-console": 0.02,
    "iam-user-console": 0.02,
    "terraform": 0.01,
    "auditor": 0.05,
    "monitoring": 0.01,
    "reporting": 0.005,
    "lambda": 0.002,
    "ec2": 0.002,
    "ecs": 0.002,
}
# what each kind of caller does wherever it is; people and services differ by site (below)
_EVERYWHERE: dict[str, Weighted] = {
    "monitoring": cat.MONITORING,
    "reporting": cat.REPORTING,
    "lambda": cat.LAMBDA,
    "ec2": cat.EC2_WORKLOAD,
    "ecs": cat.ECS,
    "cross-account": cat.CROSS_ACCOUNT,
    "build-bot": cat.BUILD_BOT,
    "federated": cat.FEDERATED,
}
_HOME_ONLY: dict[str, Weighted] = {"identity-center": cat.IDENTITY_CENTER, "root": cat.ROOT}
_SERVICE_ROLES = {"aws-lambda": "lambda", "aws-ec2": "ec2", "aws-ecs-tasks": "ecs"}


def templates_for(site: Site, p: Principal) -> Weighted:
    """The weighted templates ``p`` draws from at ``site``."""
    home = site.region == HOME_REGION
    role = p.role
    if role in _EVERYWHERE:
        return _EVERYWHERE[role]
    if role in _HOME_ONLY:
        return _HOME_ONLY[role] if home else []
    acts: Weighted = [(2.0, access.assume_role(target)) for target in p.assumes]
    if role in ("engineer-cli", "engineer-console", "iam-user-console"):
        acts = [(0.4, b) for _, b in acts]
        acts += cat.EC2_READS + cat.COMMON_READS + cat.ENGINEER_WRITES + cat.S3_CONFIG_READS
        acts += cat.IAM_READS if home else []
        acts += cat.SECURITY_READS if site.alias == "security" else []
        acts += cat.ORG_READS if site.alias == "management" and home else []
        if role == "engineer-cli":
            acts += cat.CALLER_IDENTITY
        elif home:
            acts.append((2.5, access.login))
    elif role == "terraform":
        acts += cat.TERRAFORM + (cat.TERRAFORM_IAM if home else [])
    elif role == "ci-user":
        acts += cat.CALLER_IDENTITY
    elif role == "auditor":
        acts += cat.AUDITOR + (cat.AUDITOR_IAM if home else [])
    elif role in _SERVICE_ROLES:
        kind = _SERVICE_ROLES[role]
        acts += [(1.0, access.assume_role(q)) for q in site.callers if q.role == kind]
        if role == "aws-lambda" and site.alias == "management" and home:
            acts.append((0.5, access.cloudtrail_bucket_check))
    return acts


class Activity:
    """Draws background records at one site: a caller by weight, then one of its templates."""

    def __init__(self, site: Site) -> None:
        plans: list[tuple[Principal, tuple[Builder, ...], tuple[float, ...], float]] = []
        weights: list[float] = []
        for p in site.callers:
            acts = templates_for(site, p)
            if not acts:
                continue
            builders = tuple(b for _, b in acts)
            cum = tuple(accumulate(w for w, _ in acts))
            plans.append((p, builders, cum, FAIL_RATES.get(p.role, 0.0)))
            weights.append(p.weight)
        self.plans = plans
        self.cum_weights = tuple(accumulate(weights))
        self.total = self.cum_weights[-1]

    def record(self, ctx: Ctx) -> dict[str, Any]:
        """One background record at ``ctx``'s time."""
        rng = ctx.rng
        p, builders, cum, fail = self.plans[bisect(self.cum_weights, rng.random() * self.total)]
        for _ in range(8):  # a person on a journey makes no calls: someone else does
            if p.home is None or ctx.place(p) != "travelling":
                break
            p, builders, cum, fail = self.plans[bisect(self.cum_weights, rng.random() * self.total)]
        ctx.fail_rate = fail
        return builders[bisect(cum, rng.random() * cum[-1])](ctx, p)
