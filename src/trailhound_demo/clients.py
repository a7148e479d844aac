"""How the demo's callers reach AWS: the user agents they send and the addresses they use."""

from __future__ import annotations

BROWSERS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
)
CONSOLE_AGENTS = ("AWS Internal", *BROWSERS)
AWS_CLI = (
    "aws-cli/2.18.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.0.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "aws-cli/2.17.51 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 "
    "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
    "md/distrib#ubuntu.24 md/prompt#off md/command#{cmd}",
)
CLI_COMMANDS = ("ec2.describe-instances", "s3.ls", "sts.get-caller-identity", "logs.tail")
CLI_AGENTS = tuple(agent.replace("{cmd}", cmd) for agent in AWS_CLI for cmd in CLI_COMMANDS)
BOTO3 = (
    "Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227-219.884.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 "
    "cfg/retry-mode#legacy Botocore/1.35.54",
    "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#6.1.112-122.189.amzn2023.x86_64 "
    "md/arch#x86_64 lang/python#3.11.10 md/pyimpl#CPython cfg/retry-mode#legacy "
    "Botocore/1.34.162",
)
TERRAFORM = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) "
    "terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64",
)
JAVA_SDK = (
    "[aws-sdk-java/1.12.777 Linux/5.10.227-219.884.amzn2.x86_64 "
    "OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS java/17.0.13 vendor/Amazon.com_Inc. "
    "cfg/retry-mode/standard]",
)
GO_SDK = ("aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64",)
DATADOG = ("Datadog/1.0 (+https://docs.datadoghq.com/integrations/amazon_web_services/)",)

OFFICE_IPS = ("62.45.112.18", "62.45.112.19", "62.45.112.27")
CI_RUNNER_IPS = ("4.227.183.44", "20.169.97.12", "172.183.51.9")  # hosted CI runners
DATADOG_IPS = ("3.233.144.12", "3.233.146.80", "44.205.20.178")
HOME_IPS = (
    "73.162.81.44",
    "98.207.143.9",
    "24.5.76.201",
    "86.155.32.7",
    "92.40.178.211",
    "188.25.61.140",
    "81.101.14.53",
    "109.190.45.17",
    "68.47.202.99",
    "151.41.87.20",
    "95.91.211.6",
    "110.66.140.33",
)
NAT_PREFIXES = {"us-east-1": "54.198", "us-west-2": "52.40", "eu-west-1": "34.240"}
# the intruder's addresses; the Tor exits are real ones, listed by the Tor Project
TOR_EXIT_ADDRESSES: tuple[str, ...] = ("185.220.101.1", "185.220.100.252", "171.25.193.77")
INTRUDER_ADDRESS = "45.155.205.233"  # a rented server, not a Tor exit
ROOT_INTRUDER_ADDRESS = "194.165.16.71"
INTRUDER_AGENT = (
    "aws-cli/2.13.25 md/awscrt#0.16.16 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 "
    "lang/python#3.11.5 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off"
)
