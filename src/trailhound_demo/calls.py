"""Templates for the everyday calls of many AWS services, with plausible parameters."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Callable
from typing import Any

from trailhound_demo.events import Ctx, api_call, stable_suffix, vpce_call
from trailhound_demo.organization import HOME_REGION, PARAMETERS, SECRETS, Principal

Record = dict[str, Any]
Builder = Callable[[Ctx, Principal], Record]
Params = Callable[[Ctx], dict[str, Any] | None]

_PREFIXES = ("exports/daily", "uploads/incoming", "reports/finance", "assets/img", "builds/main")
_EXTENSIONS = ("parquet", "csv.gz", "json", "png", "zip")


def bucket(c: Ctx) -> str:
    """A bucket of the current site."""
    return c.pick(c.site.buckets)


def instance(c: Ctx) -> str:
    """An EC2 instance of the current site."""
    return c.pick(c.site.instances)


def function_arn(c: Ctx) -> str:
    """The ARN of a Lambda function of the current site."""
    return f"arn:aws:lambda:{c.region}:{c.account}:function:{c.pick(c.site.functions)}"


def kms_arn(c: Ctx) -> str:
    """The ARN of a KMS key of the current site."""
    return f"arn:aws:kms:{c.region}:{c.account}:key/{c.pick(c.site.kms_keys)}"


def secret_arn(c: Ctx, name: str | None = None) -> str:
    """The ARN of a secret of the current site, with the suffix AWS adds to secret names."""
    name = name or c.pick(SECRETS)
    suffix = stable_suffix(f"{c.account}/{c.region}/{name}")
    return f"arn:aws:secretsmanager:{c.region}:{c.account}:secret:{name}-{suffix}"


def read(source: str, name: str, params: Params | None = None, *, home: bool = False) -> Builder:
    """A template for a read-only call; ``home`` pins it to the region global services log in."""
    region = HOME_REGION if home else None

    def build(c: Ctx, p: Principal) -> Record:
        return api_call(
            c, p, source, name, read_only=True, params=params(c) if params else None, region=region
        )

    return build


def write(
    source: str, name: str, params: Params, response: Params | None = None, *, home: bool = False
) -> Builder:
    """A template for a mutating call with its parameters and, optionally, its response."""
    region = HOME_REGION if home else None

    def build(c: Ctx, p: Principal) -> Record:
        return api_call(
            c,
            p,
            source,
            name,
            read_only=False,
            params=params(c),
            response=response(c) if response else None,
            region=region,
        )

    return build


def s3_object(name: str) -> Builder:
    """An S3 object-level data event (GetObject, PutObject, HeadObject, DeleteObject)."""
    read_only = name in ("GetObject", "HeadObject")

    def build(c: Ctx, p: Principal) -> Record:
        rng = c.rng
        b = bucket(c)
        key = f"{c.pick(_PREFIXES)}/{c.when[:10]}/{rng.getrandbits(40):010x}.{c.pick(_EXTENSIONS)}"
        host = f"{b}.s3.{c.region}.amazonaws.com"
        size = 200 + c.below(5_000_000)
        extra = {
            "SignatureVersion": "SigV4",
            "CipherSuite": "TLS_AES_128_GCM_SHA256",
            "bytesTransferredIn": 0 if read_only else size,
            "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": b64encode(rng.randbytes(56)).decode(),
            "bytesTransferredOut": size if name == "GetObject" else 0,
        }
        response = None if read_only else {"x-amz-server-side-encryption": "AES256"}
        error = None
        if name == "GetObject" and rng.random() < 0.01:
            error = ("NoSuchKey", "The specified key does not exist.")
        return api_call(
            c,
            p,
            "s3.amazonaws.com",
            name,
            read_only=read_only,
            params={"bucketName": b, "Host": host, "key": key},
            response=response,
            extra=extra,
            resources=[
                {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{b}/{key}"},
                {"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"},
            ],
            error=error,
            data=True,
        )

    return build


def s3_list_objects(c: Ctx, p: Principal) -> Record:
    """An S3 ListObjects data event."""
    b = bucket(c)
    host = f"{b}.s3.{c.region}.amazonaws.com"
    params = {"list-type": "2", "bucketName": b, "Host": host, "prefix": c.pick(_PREFIXES) + "/"}
    return api_call(
        c,
        p,
        "s3.amazonaws.com",
        "ListObjects",
        read_only=True,
        params=params,
        extra={"SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader"},
        resources=[{"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}],
        data=True,
    )


def s3_bucket_read(name: str, missing: tuple[str, str] | None = None) -> Builder:
    """A bucket-configuration read; ``missing`` is the error AWS returns when none is set."""

    def build(c: Ctx, p: Principal) -> Record:
        b = bucket(c)
        params = {"bucketName": b, "Host": f"{b}.s3.{c.region}.amazonaws.com", name[3:]: ""}
        error = missing if missing and c.rng.random() < 0.4 else None
        return api_call(
            c, p, "s3.amazonaws.com", name, read_only=True, params=params, error=error, resource=b
        )

    return build


def lambda_invoke(c: Ctx, p: Principal) -> Record:
    """A Lambda Invoke data event."""
    arn = function_arn(c)
    return api_call(
        c,
        p,
        "lambda.amazonaws.com",
        "Invoke",
        read_only=False,
        params={"functionName": arn, "invocationType": c.pick(("RequestResponse", "Event"))},
        extra={"functionVersion": f"{arn}:$LATEST"},
        resources=[{"accountId": c.account, "type": "AWS::Lambda::Function", "ARN": arn}],
        data=True,
    )


def kms_crypto(name: str) -> Builder:
    """A KMS Decrypt or GenerateDataKey by a workload."""

    def build(c: Ctx, p: Principal) -> Record:
        arn = kms_arn(c)
        params: dict[str, Any] = {
            "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            "encryptionContext": {"aws:lambda:FunctionArn": function_arn(c)},
        }
        if name == "GenerateDataKey":
            params = {"keyId": arn, "keySpec": "AES_256"}
        return api_call(
            c,
            p,
            "kms.amazonaws.com",
            name,
            read_only=True,
            params=params,
            resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": arn}],
            resource=arn,
        )

    return build


def get_secret(c: Ctx, p: Principal) -> Record:
    """A Secrets Manager GetSecretValue."""
    arn = secret_arn(c)
    return api_call(
        c,
        p,
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        read_only=True,
        params={"secretId": arn},
        resource=arn,
    )


def get_parameter(c: Ctx, p: Principal) -> Record:
    """An SSM GetParameter."""
    name = c.pick(PARAMETERS)
    return api_call(
        c,
        p,
        "ssm.amazonaws.com",
        "GetParameter",
        read_only=True,
        params={"name": name, "withDecryption": True},
        resource=f"arn:aws:ssm:{c.region}:{c.account}:parameter{name}",
    )


def ssm_agent_checkin(c: Ctx, p: Principal) -> Record:
    """The SSM agent's periodic UpdateInstanceInformation from an instance."""
    params = {
        "instanceId": p.name.removeprefix("ec2/"),
        "agentVersion": "3.3.987.0",
        "agentStatus": "Active",
        "platformType": "Linux",
        "platformName": "Amazon Linux",
        "platformVersion": "2023",
        "iPAddress": f"10.20.{c.below(64)}.{2 + c.below(252)}",
        "computerName": "ip-10-20-3-17.ec2.internal",
        "agentName": "amazon-ssm-agent",
        "availabilityZone": f"{c.region}a",
    }
    return api_call(
        c,
        p,
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        read_only=False,
        params=params,
        can_fail=False,
    )


def create_log_stream(c: Ctx, p: Principal) -> Record:
    """CloudWatch Logs CreateLogStream, as a Lambda runtime does on a cold start."""
    fn = p.name.rsplit("/", 1)[-1]
    stream = f"{c.when[:10].replace('-', '/')}/[$LATEST]{c.rng.getrandbits(128):032x}"
    return api_call(
        c,
        p,
        "logs.amazonaws.com",
        "CreateLogStream",
        read_only=False,
        params={"logGroupName": f"/aws/lambda/{fn}", "logStreamName": stream},
        can_fail=False,
    )


def via_endpoint(service: str, name: str) -> Builder:
    """A network activity event: a workload's call passing through the site's VPC endpoint."""

    def build(c: Ctx, p: Principal) -> Record:
        source_ip = f"10.20.{c.below(64)}.{2 + c.below(252)}"
        return vpce_call(c, c.identity(p), service, name, source_ip)

    return build


def _encoded_failure(c: Ctx) -> str:
    return b64encode(c.rng.randbytes(90)).decode()


def instances_params(c: Ctx) -> dict[str, Any]:
    """Parameters of a DescribeInstances call: one instance or a filter."""
    if c.rng.random() < 0.5:
        return {"instancesSet": {"items": [{"instanceId": instance(c)}]}, "filterSet": {}}
    return {
        "instancesSet": {},
        "filterSet": {
            "items": [
                {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}
            ]
        },
    }


def run_instances(c: Ctx, p: Principal) -> Record:
    """EC2 RunInstances of a small instance in a private subnet."""
    new = f"i-0{c.rng.getrandbits(64):016x}"
    params = {
        "instancesSet": {
            "items": [{"imageId": "ami-0c1a7f89451184c8b", "minCount": 1, "maxCount": 1}]
        },
        "instanceType": c.pick(("t3.micro", "t3.medium", "m7g.large")),
        "subnetId": c.pick(c.site.subnets),
        "groupSet": {"items": [{"groupId": c.pick(c.site.security_groups)}]},
    }
    response = {
        "requestId": c.uuid(),
        "reservationId": f"r-0{c.rng.getrandbits(64):016x}",
        "ownerId": c.account,
        "instancesSet": {
            "items": [
                {
                    "instanceId": new,
                    "imageId": "ami-0c1a7f89451184c8b",
                    "instanceState": {"code": 0, "name": "pending"},
                }
            ]
        },
    }
    error = None
    if c.rng.random() < 0.2:
        code, message = c.denial(p, "ec2.amazonaws.com", "RunInstances", "")
        error = (code, f"{message}. Encoded authorization failure message: {_encoded_failure(c)}")
    return api_call(
        c,
        p,
        "ec2.amazonaws.com",
        "RunInstances",
        read_only=False,
        params=params,
        response=response,
        error=error,
    )
