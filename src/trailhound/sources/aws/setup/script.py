"""A bash script under construction: the preamble every generated script shares, JSON documents
written with quoted heredocs, and the stdlib-only tools (``bucket_notification``,
``shared_documents``) the scripts carry and run with ``python3``.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

from trailhound.sources.aws.setup import bucket_notification, shared_documents
from trailhound.sources.aws.setup.options import SetupOptions, names_for

__all__ = ["KEY_ARN_VARIABLE", "Script", "q"]

KEY_ARN_VARIABLE = "${KEY_ARN}"
q = shlex.quote


class Script:
    """A bash script under construction: preamble, JSON documents, commands."""

    def __init__(self, options: SetupOptions, region: str, purpose: str) -> None:
        self.options = options
        self.names = names_for(options, region)
        self.lines = [
            "#!/usr/bin/env bash",
            "set -euo pipefail",
            "shopt -s inherit_errexit",
            f"# {purpose}",
            "# Needs bash, the AWS CLI and python3; run it with administrator rights in the",
            "# account (the organization's management account for an organization trail).",
            f"export AWS_DEFAULT_REGION={q(region)}",
            'export AWS_PAGER=""',
        ]
        if options.profile:
            self.lines.append(f"export AWS_PROFILE={q(options.profile)}")
        self.lines += [
            'WORK="$(mktemp -d)"',
            "trap 'rm -rf \"$WORK\"' EXIT",
            'exists() { "$@" >/dev/null 2>&1; }',
            f"ACCOUNT={q(options.account)}",
            'CALLER="$(aws sts get-caller-identity --query Account --output text)"',
            'if [ "$CALLER" != "$ACCOUNT" ]; then',
            '  echo "error: these AWS credentials belong to account $CALLER, not $ACCOUNT:" \\',
            '    "run the script with that account\'s credentials (AWS_PROFILE=…)" >&2',
            "  exit 2",
            "fi",
        ]
        self._tools: set[str] = set()
        self._tools_at = len(self.lines)  # tools go here, before any step that may need them

    def add(self, *lines: str) -> None:
        """Append lines."""
        self.lines.extend(lines)

    def say(self, text: str) -> None:
        """Append an ``echo`` of ``text`` (double quotes: variables expand)."""
        self.lines.append(f'echo "{text}"')

    def document(self, filename: str, document: Any, *, expand: bool = False) -> str:
        """Write ``document`` to ``$WORK/filename``; returns its ``file://`` argument."""
        marker = "JSON" if expand else "'JSON'"
        self.lines += [f'cat > "$WORK/{filename}" <<{marker}', json.dumps(document, indent=2)]
        self.lines.append("JSON")
        return f'"file://$WORK/{filename}"'

    def tool(self, module: ModuleType) -> str:
        """Write a stdlib-only module's source once; returns the command that runs it."""
        name = Path(str(module.__file__)).name
        if name not in self._tools:
            source = Path(str(module.__file__)).read_text(encoding="utf-8")
            block = [f"cat > \"$WORK/{name}\" <<'PY'", source.rstrip(), "PY"]
            # Written at the top: the first use may be inside a branch that does not run.
            self.lines[self._tools_at : self._tools_at] = block
            self._tools_at += len(block)
            self._tools.add(name)
        return f'python3 "$WORK/{name}"'

    def notification_tool(self) -> str:
        """Write ``bucket_notification.py`` once; returns the command that runs it."""
        return self.tool(bucket_notification)

    def documents_tool(self) -> str:
        """Write ``shared_documents.py`` once; returns the command that runs it."""
        return self.tool(shared_documents)

    def fetch_notification(self) -> None:
        """Read the bucket's notification configuration into ``$WORK/current.json``."""
        self.add(
            f"aws s3api get-bucket-notification-configuration --bucket {q(self.names.bucket)} "
            '--output json > "$WORK/current.json"'
        )

    def notification_arguments(self) -> str:
        """The arguments of ``bucket_notification.py add|check`` for this setup."""
        names, route = self.names, self.options.route
        queue = names.queue_arn if route == "queue" else "-"
        return (
            f"{q(names.notification_id)} {q(queue)} {route} {q(names.bucket)} "
            f"{q(self.options.object_prefix)}"
        )

    def put_notification(self, verb: str = "add") -> None:
        """Fetch, merge (or remove) our entry, and write the bucket's configuration back."""
        tool = self.notification_tool()
        self.fetch_notification()
        # CloudFormation names its own entries, hence removal by queue too; never for an
        # existing queue, whose other entries are not ours.
        by_queue = "" if self.names.existing_queue else f" {q(self.names.queue_arn)}"
        args = (
            self.notification_arguments()
            if verb == "add"
            else f"{q(self.names.notification_id)}{by_queue}"
        )
        self.add(
            f'{tool} {verb} "$WORK/current.json" {args} > "$WORK/notification.json"',
            f"aws s3api put-bucket-notification-configuration --bucket {q(self.names.bucket)} "
            '--notification-configuration "file://$WORK/notification.json"',
        )

    def text(self) -> str:
        """The script."""
        return "\n".join(self.lines) + "\n"
