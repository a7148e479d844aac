"""Onboarding material for an AWS account: IAM policies, a CloudFormation template, a CLI script."""
