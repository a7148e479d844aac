"""The catalogue of everyday calls: weighted templates, grouped by who makes them."""

from __future__ import annotations

import zlib
from typing import Any

from trailhound_demo import access, calls
from trailhound_demo.calls import Builder, read, write
from trailhound_demo.events import Ctx
from trailhound_demo.organization import PARAMETERS

Weighted = list[tuple[float, Builder]]


def _tag_params(c: Ctx) -> dict[str, Any]:
    return {
        "resourcesSet": {"items": [{"resourceId": calls.instance(c)}]},
        "tagSet": {"items": [{"key": "Owner", "value": c.pick(("platform", "data", "web"))}]},
    }


def _sg_ingress(c: Ctx) -> dict[str, Any]:
    return {
        "groupId": c.pick(c.site.security_groups),
        "ipPermissions": {
            "items": [
                {
                    "ipProtocol": "tcp",
                    "fromPort": 5432,
                    "toPort": 5432,
                    "ipRanges": {"items": [{"cidrIp": "10.20.0.0/16"}]},
                }
            ]
        },
    }


def _one_instance(c: Ctx) -> dict[str, Any]:
    return {"instancesSet": {"items": [{"instanceId": calls.instance(c)}]}}


def _function(c: Ctx) -> dict[str, Any]:
    return {"functionName": c.pick(c.site.functions)}


def _role_name(c: Ctx) -> dict[str, Any]:
    return {
        "roleName": c.pick(("orders-api-role", "ec2-app-instance-role", "DatadogIntegrationRole"))
    }


def _user_name(c: Ctx) -> dict[str, Any]:
    return {"userName": c.pick(("svc-reporting", "ci-deployer", "ops-admin", "jenkins"))}


def _key(c: Ctx) -> dict[str, Any]:
    return {"keyId": calls.kms_arn(c)}


def _secret(c: Ctx) -> dict[str, Any]:
    return {"secretId": calls.secret_arn(c)}


def _trail(c: Ctx) -> dict[str, Any]:
    return {"trailNameList": [], "includeShadowTrails": True}


def _lookup(c: Ctx) -> dict[str, Any]:
    return {
        "maxResults": 50,
        "lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}],
    }


def _log_group(c: Ctx) -> dict[str, Any]:
    fn = c.pick(c.site.functions)
    return {"logGroupName": f"/aws/lambda/{fn}", "startTime": c.sec * 1000, "limit": 100}


def _param_path(c: Ctx) -> dict[str, Any]:
    return {"path": "/app", "recursive": True, "withDecryption": False}


def _put_param(c: Ctx) -> dict[str, Any]:
    return {"name": c.pick(PARAMETERS), "type": "String", "overwrite": True}


def _db(c: Ctx) -> dict[str, Any]:
    return {"dBInstanceIdentifier": c.pick(("orders-db", "analytics-db"))}


def _update_code(c: Ctx) -> dict[str, Any]:
    return {"functionName": c.pick(c.site.functions), "publish": True, "dryRun": False}


def _metric_query(c: Ctx) -> dict[str, Any]:
    return {"startTime": c.when, "endTime": c.when, "scanBy": "TimestampDescending"}


def _policy_version(c: Ctx) -> dict[str, Any]:
    return {"policyArn": f"arn:aws:iam::{c.account}:policy/app-data-access", "versionId": "v3"}


def _detector(c: Ctx) -> dict[str, Any]:
    return {"detectorId": f"{zlib.crc32(c.account.encode()):08x}" * 4}


def _account(c: Ctx) -> dict[str, Any]:
    return {"accountId": c.pick(("512934607731", "623045718842", "734156829953"))}


def _sso_role(c: Ctx) -> dict[str, Any]:
    return {**_account(c), "roleName": c.pick(("AdministratorAccess", "DeveloperAccess"))}


EC2 = "ec2.amazonaws.com"
EC2_READS: Weighted = [
    (3.0, read(EC2, "DescribeInstances", calls.instances_params)),
    (1.0, read(EC2, "DescribeSecurityGroups")),
    (0.8, read(EC2, "DescribeVpcs")),
    (0.8, read(EC2, "DescribeSubnets")),
    (0.6, read(EC2, "DescribeVolumes")),
    (0.4, read(EC2, "DescribeAvailabilityZones")),
    (0.4, read(EC2, "DescribeImages", lambda c: {"ownersSet": {"items": [{"owner": "self"}]}})),
]
S3_CONFIG_READS: Weighted = [
    (1.0, calls.s3_bucket_read("GetBucketLocation")),
    (
        0.8,
        calls.s3_bucket_read(
            "GetBucketPolicy", ("NoSuchBucketPolicy", "The bucket policy does not exist")
        ),
    ),
    (0.6, calls.s3_bucket_read("GetBucketVersioning")),
    (0.6, calls.s3_bucket_read("GetBucketAcl")),
    (0.5, calls.s3_bucket_read("GetBucketEncryption")),
    (0.5, calls.s3_bucket_read("GetBucketTagging", ("NoSuchTagSet", "The TagSet does not exist"))),
    (0.4, calls.s3_bucket_read("GetBucketPublicAccessBlock")),
]
COMMON_READS: Weighted = [
    (1.2, read("lambda.amazonaws.com", "ListFunctions20150331")),
    (0.8, read("lambda.amazonaws.com", "GetFunction20150331v2", _function)),
    (0.8, read("logs.amazonaws.com", "DescribeLogGroups")),
    (0.6, read("logs.amazonaws.com", "FilterLogEvents", _log_group)),
    (0.6, read("kms.amazonaws.com", "ListAliases")),
    (0.4, read("kms.amazonaws.com", "DescribeKey", _key)),
    (0.6, read("rds.amazonaws.com", "DescribeDBInstances")),
    (0.5, read("ssm.amazonaws.com", "DescribeInstanceInformation")),
    (0.5, read("ssm.amazonaws.com", "GetParametersByPath", _param_path)),
    (0.5, read("secretsmanager.amazonaws.com", "ListSecrets")),
    (0.4, read("secretsmanager.amazonaws.com", "DescribeSecret", _secret)),
    (0.5, read("cloudformation.amazonaws.com", "DescribeStacks")),
    (0.5, read("cloudtrail.amazonaws.com", "DescribeTrails", _trail)),
    (0.4, read("guardduty.amazonaws.com", "ListDetectors")),
    (0.4, read("monitoring.amazonaws.com", "DescribeAlarms")),
]
IAM = "iam.amazonaws.com"
IAM_READS: Weighted = [
    (0.6, read(IAM, "ListRoles", home=True)),
    (0.5, read(IAM, "GetRole", _role_name, home=True)),
    (0.4, read(IAM, "ListUsers", home=True)),
    (0.3, access.get_user),
    (0.4, read(IAM, "ListAttachedRolePolicies", _role_name, home=True)),
    (0.3, read(IAM, "GetAccountSummary", home=True)),
    (1.0, read("s3.amazonaws.com", "ListBuckets", home=True)),
]
ENGINEER_WRITES: Weighted = [
    (0.5, write(EC2, "CreateTags", _tag_params, lambda c: {"_return": True})),
    (0.2, write(EC2, "StopInstances", _one_instance)),
    (0.2, write(EC2, "StartInstances", _one_instance)),
    (0.1, write(EC2, "AuthorizeSecurityGroupIngress", _sg_ingress)),
    (0.15, calls.run_instances),
    (
        0.3,
        write(
            "ssm.amazonaws.com",
            "PutParameter",
            _put_param,
            lambda c: {"version": 2 + c.below(88), "tier": "Standard"},
        ),
    ),
    (0.2, write("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", _function)),
    (
        0.1,
        write(
            "rds.amazonaws.com",
            "CreateDBSnapshot",
            lambda c: {**_db(c), "dBSnapshotIdentifier": f"manual-{c.when[:10]}"},
        ),
    ),
    (0.6, calls.get_secret),
    (0.4, calls.get_parameter),
]
SECURITY_READS: Weighted = [
    (2.0, read("guardduty.amazonaws.com", "ListFindings", _detector)),
    (1.5, read("guardduty.amazonaws.com", "GetFindings", _detector)),
    (1.0, read("securityhub.amazonaws.com", "GetFindings")),
    (0.8, read("cloudtrail.amazonaws.com", "LookupEvents", _lookup)),
]
ORG_READS: Weighted = [
    (0.6, read("organizations.amazonaws.com", "DescribeOrganization", home=True)),
    (0.6, read("organizations.amazonaws.com", "ListAccounts", home=True)),
    (0.3, read("organizations.amazonaws.com", "DescribeAccount", _account, home=True)),
    (0.3, read("organizations.amazonaws.com", "ListPoliciesForTarget", _account, home=True)),
]
TERRAFORM: Weighted = [
    (0.8, read("sts.amazonaws.com", "GetCallerIdentity")),
    *[(w * 1.5, b) for w, b in S3_CONFIG_READS],
    *EC2_READS,
    (0.8, read("lambda.amazonaws.com", "GetFunction20150331v2", _function)),
    (0.5, read("lambda.amazonaws.com", "GetPolicy20150331v2", _function)),
    (0.6, read("kms.amazonaws.com", "DescribeKey", _key)),
    (0.4, read("kms.amazonaws.com", "GetKeyRotationStatus", _key)),
    (0.5, read("logs.amazonaws.com", "DescribeLogGroups")),
    (0.4, read("rds.amazonaws.com", "DescribeDBInstances", _db)),
    (0.3, write("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", _update_code)),
    (0.3, write(EC2, "CreateTags", _tag_params, lambda c: {"_return": True})),
    (0.6, calls.s3_object("PutObject")),
]
TERRAFORM_IAM: Weighted = [
    (1.0, read(IAM, "GetRole", _role_name, home=True)),
    (0.8, read(IAM, "ListRolePolicies", _role_name, home=True)),
    (0.8, read(IAM, "ListAttachedRolePolicies", _role_name, home=True)),
    (0.6, read(IAM, "GetPolicyVersion", _policy_version, home=True)),
]
AUDITOR_IAM: Weighted = [
    (0.5, read(IAM, "GetAccountAuthorizationDetails", home=True)),
    (0.4, read(IAM, "GenerateCredentialReport", home=True)),
    (0.4, read(IAM, "GetCredentialReport", home=True)),
    (0.3, access.password_policy),
    (0.8, read(IAM, "ListUsers", home=True)),
    (0.8, read(IAM, "ListRoles", home=True)),
    (0.4, read(IAM, "ListMFADevices", _user_name, home=True)),
    (1.0, read("s3.amazonaws.com", "ListBuckets", home=True)),
]
AUDITOR: Weighted = [
    *S3_CONFIG_READS,
    (0.6, read(EC2, "DescribeSecurityGroups")),
    (0.4, read(EC2, "DescribeFlowLogs")),
    (0.5, read("cloudtrail.amazonaws.com", "DescribeTrails", _trail)),
    (0.5, read("cloudtrail.amazonaws.com", "GetTrailStatus", lambda c: {"name": "acme-org-trail"})),
    (
        0.3,
        read(
            "cloudtrail.amazonaws.com",
            "GetEventSelectors",
            lambda c: {"trailName": "acme-org-trail"},
        ),
    ),
    (0.3, read("kms.amazonaws.com", "ListKeys")),
    (0.3, read("kms.amazonaws.com", "GetKeyRotationStatus", _key)),
    (0.3, read("guardduty.amazonaws.com", "ListDetectors")),
]
MONITORING: Weighted = [
    (2.0, read("monitoring.amazonaws.com", "GetMetricData", _metric_query)),
    (0.8, read("monitoring.amazonaws.com", "ListMetrics")),
    (1.0, read("tagging.amazonaws.com", "GetResources")),
    (1.0, read(EC2, "DescribeInstances", lambda c: {"instancesSet": {}, "filterSet": {}})),
    (0.5, read(EC2, "DescribeVolumes")),
    (0.5, read("lambda.amazonaws.com", "ListFunctions20150331")),
    (0.4, read("rds.amazonaws.com", "DescribeDBInstances")),
    (0.4, read("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers")),
]
REPORTING: Weighted = [
    (3.0, calls.s3_object("GetObject")),
    (1.0, calls.s3_object("PutObject")),
    (1.0, calls.s3_list_objects),
    (
        0.8,
        read("athena.amazonaws.com", "GetQueryExecution", lambda c: {"queryExecutionId": c.uuid()}),
    ),
    (0.3, read("sts.amazonaws.com", "GetCallerIdentity")),
]
LAMBDA: Weighted = [
    (3.0, calls.s3_object("GetObject")),
    (1.5, calls.s3_object("PutObject")),
    (0.5, calls.s3_object("HeadObject")),
    (2.0, calls.lambda_invoke),
    (2.0, calls.kms_crypto("Decrypt")),
    (1.0, calls.kms_crypto("GenerateDataKey")),
    (1.5, calls.get_secret),
    (1.0, calls.get_parameter),
    (0.5, calls.create_log_stream),
    (1.0, calls.via_endpoint("kms", "Decrypt")),
    (0.8, calls.via_endpoint("secretsmanager", "GetSecretValue")),
    (0.6, calls.via_endpoint("s3", "GetObject")),
]
EC2_WORKLOAD: Weighted = [
    (3.0, calls.ssm_agent_checkin),
    (
        1.0,
        read(
            "ssm.amazonaws.com",
            "ListInstanceAssociations",
            lambda c: {"instanceId": calls.instance(c), "maxResults": 20},
        ),
    ),
    (2.0, calls.s3_object("GetObject")),
    (1.0, calls.s3_object("PutObject")),
    (0.3, calls.s3_object("DeleteObject")),
    (1.0, calls.kms_crypto("Decrypt")),
    (0.5, calls.get_secret),
    (0.3, read("sts.amazonaws.com", "GetCallerIdentity")),
    (1.0, calls.via_endpoint("s3", "PutObject")),
    (0.5, calls.via_endpoint("kms", "Decrypt")),
]
ECS: Weighted = [
    (1.5, calls.get_secret),
    (1.5, calls.kms_crypto("Decrypt")),
    (2.0, calls.s3_object("GetObject")),
    (0.5, read("ecr.amazonaws.com", "GetAuthorizationToken")),
    (1.0, calls.via_endpoint("secretsmanager", "GetSecretValue")),
]
CROSS_ACCOUNT: Weighted = [(3.0, calls.s3_object("GetObject")), (1.0, calls.s3_list_objects)]
BUILD_BOT: Weighted = [
    (1.0, access.federation_token),
    (0.5, read("sts.amazonaws.com", "GetCallerIdentity")),
    (1.0, calls.s3_object("GetObject")),
]
FEDERATED: Weighted = [(2.0, calls.s3_object("PutObject")), (1.0, calls.s3_object("HeadObject"))]
IDENTITY_CENTER: Weighted = [
    (1.0, read("sso.amazonaws.com", "ListAccounts")),
    (1.0, read("sso.amazonaws.com", "ListAccountRoles", _account)),
    (1.5, read("sso.amazonaws.com", "GetRoleCredentials", _sso_role)),
]
ROOT: Weighted = [
    (1.0, access.login),
    (1.0, read(IAM, "GetAccountSummary", home=True)),
    (0.6, read("ce.amazonaws.com", "GetCostAndUsage")),
    (0.4, read(IAM, "ListAccountAliases", home=True)),
]
CALLER_IDENTITY: Weighted = [(0.8, read("sts.amazonaws.com", "GetCallerIdentity"))]
