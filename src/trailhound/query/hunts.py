"""The starter set of CloudTrail hunting queries that ships with trailhound.

Each is a :class:`~trailhound.query.library.SavedQuery`: ``trailhound queries list`` shows them,
``trailhound queries run NAME [--param x=…]`` runs one. Windows such as "the last day" count back
from the newest event the data holds rather than from the clock, so that a hunt over logs
imported after the fact finds what it finds on live data.
"""

from __future__ import annotations

from trailhound.query.library import SavedQuery

HUNTING_QUERIES: tuple[SavedQuery, ...] = (
    SavedQuery(
        "first-api-use",
        """
        dataset = cloudtrail
        | filter not is_aws_service_caller and actor != null
        | windowcomp max(eventTime) as data_end
        | comp min(eventTime) as first_use, count() as calls, max(data_end) as data_end
            by actor, eventSource, eventName
        | filter first_use >= data_end - $window
        | fields actor, eventSource, eventName, first_use, calls
        | sort first_use desc
        """,
        "Every identity's first use of an API in the last day of the data (window): a new "
        "call is how a stolen credential or a changed workload shows.",
        {"window": "1d"},
        builtin=True,
    ),
    SavedQuery(
        "access-key-several-networks",
        """
        dataset = cloudtrail
        | filter userIdentity.accessKeyId != null and incidr(sourceIPAddress, "0.0.0.0/0")
        | alter octets = split(sourceIPAddress, ".")
        | alter network = concat(arrayindex(octets, 0), ".", arrayindex(octets, 1), ".0.0/16")
        | comp count_distinct(network) as networks, values(network) as network_list,
            count() as calls by userIdentity.accessKeyId, actor
        | filter networks >= $min_networks
        | sort networks desc, calls desc
        """,
        "Access keys used from IPv4 addresses in several /16 networks (min_networks): without "
        "a geolocation database, the nearest sign of one key used from two countries.",
        {"min_networks": "2"},
        builtin=True,
    ),
    SavedQuery(
        "assumed-role-sessions",
        """
        dataset = cloudtrail
        | filter eventName = "AssumeRole" and responseElements.credentials.accessKeyId != null
        | alter assumed_by = coalesce(userIdentity.arn, userIdentity.invokedBy)
        | fields eventTime as assumed_at, assumed_by, requestParameters.roleArn as role,
            responseElements.credentials.accessKeyId as session_key
        | join type = inner (
            dataset = cloudtrail
            | filter userIdentity.accessKeyId != null
            | comp count() as calls, count_distinct(eventName) as apis,
                min(eventTime) as first_call, max(eventTime) as last_call
                by userIdentity.accessKeyId
          ) as used session_key = used.userIdentity.accessKeyId
        | fields assumed_at, assumed_by, role, session_key, calls, apis, first_call, last_call
        | sort calls desc, session_key
        """,
        "The sessions AssumeRole calls created, joined to the calls made with their "
        "credentials: who took which role, and how much the session then did.",
        builtin=True,
    ),
    SavedQuery(
        "assume-role-chains",
        """
        dataset = cloudtrail
        | filter eventName = "AssumeRole" and responseElements.credentials.accessKeyId != null
        | fields eventTime as first_at, userIdentity.arn as first_caller,
            requestParameters.roleArn as first_role, responseElements.credentials.accessKeyId as key
        | join (
            dataset = cloudtrail
            | filter eventName = "AssumeRole" and userIdentity.accessKeyId != null
            | fields eventTime as second_at, userIdentity.accessKeyId as caller_key,
                requestParameters.roleArn as second_role
          ) as next key = next.caller_key
        | fields first_at, first_caller, first_role, second_at, second_role
        | sort first_at
        """,
        "Role chaining: AssumeRole calls made with credentials another AssumeRole issued, a "
        "way to hop across accounts and to outlive the first session.",
        builtin=True,
    ),
    SavedQuery(
        "vpce-foreign-denials",
        """
        dataset = cloudtrail
        | filter errorCode = "VpceAccessDenied" and userIdentity.accountId != vpcEndpointAccountId
        | comp count() as denials, values(eventName) as actions, min(eventTime) as first_seen,
            max(eventTime) as last_seen by userIdentity.accountId, vpcEndpointId
        | sort denials desc
        """,
        "Calls a VPC endpoint policy refused to principals of accounts other than the "
        "endpoint's: someone outside trying to reach in through the private path.",
        builtin=True,
    ),
    SavedQuery(
        "data-plane-volume-by-endpoint",
        """
        dataset = cloudtrail
        | filter eventCategory in ("Data", "NetworkActivity")
        | replacenull vpcEndpointId = "(no endpoint)"
        | alter bytes_out = to_float(additionalEventData.bytesTransferredOut)
        | comp count() as calls, sum(bytes_out) as bytes_out, count_distinct(actor) as callers
            by vpcEndpointId, eventSource
        | sort calls desc, vpcEndpointId, eventSource
        """,
        "Data-plane and network-activity calls per VPC endpoint and service, with the bytes "
        "sent out: a sudden bulk of reads is what an exfiltration looks like.",
        builtin=True,
    ),
    SavedQuery(
        "console-login-without-mfa",
        """
        dataset = cloudtrail
        | filter eventName = "ConsoleLogin" and responseElements.ConsoleLogin = "Success"
            and additionalEventData.MFAUsed = "No" and userIdentity.type in ("Root", "IAMUser")
        | fields eventTime, userIdentity.type, userIdentity.arn, sourceIPAddress, userAgent
        | sort eventTime
        """,
        "Successful console sign-ins of root or IAM users without MFA (sign-ins through "
        "Identity Center take their MFA at the identity provider and are left out).",
        builtin=True,
    ),
    SavedQuery(
        "access-key-sessions",
        """
        dataset = cloudtrail
        | filter userIdentity.accessKeyId != null
        | transaction userIdentity.accessKeyId span = $span
        | filter _event_count >= $min_events
        | sort _event_count desc, _start_time
        """,
        "The sessions of each access key (windows of span from its first call): the longest "
        "bursts of activity one credential made.",
        {"span": "1h", "min_events": "20"},
        builtin=True,
    ),
    SavedQuery(
        "resources-written",
        """
        dataset = cloudtrail
        | filter readOnly = false and resources != null
        | arrayexpand resources
        | comp count() as calls, values(eventName) as actions by actor, resources.ARN
        | sort calls desc, actor
        """,
        "Every resource a write call named, one row per identity and resource ARN.",
        builtin=True,
    ),
    SavedQuery(
        "dormant-identity-returns",
        """
        dataset = cloudtrail
        | filter actor != null and not is_aws_service_caller
        | windowcomp lag(eventTime) by actor sort eventTime, eventId as previous_call
        | alter silent_hours = timestamp_diff(eventTime, previous_call, "hour")
        | filter silent_hours >= $hours
        | fields eventTime, actor, eventName, sourceIPAddress, silent_hours
        | sort silent_hours desc, eventTime
        """,
        "Calls by an identity after it had been silent for hours (time since its previous "
        "call): a forgotten credential coming back to life.",
        {"hours": "48"},
        builtin=True,
    ),
)
