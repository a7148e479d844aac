"""The root-cause graph of an incident (networkx), built from the stored events.

Nodes are identities (IAM user, root, role, role session, federated user, account, source
identity), access keys, source addresses (with country, ASN, Tor and AWS-range tags where the
lake has those columns), API calls grouped by service and name, and the resources the calls
name (buckets, objects, KMS keys, access keys, instances, roles, users, trails, VPC endpoints…).
Edges, each with its kind, event count, first and last time and some event IDs:

- ``assumed``: caller → role (the ``AssumeRole`` call), role → session; a session's
  ``sourceIdentity`` → the role when the issuing call is not stored;
- ``authenticated-with``: identity → the access key that signed its calls;
- ``called-from``: identity → source address;
- ``called``: identity → API call;
- ``touched``: API call → resource (and the access key or session a call issued).

The events are the incident's alerting events, the other calls of its principals and access
keys around them, and the calls that issued their session keys, walked back hop by hop
(``incidents.identities``). Nodes and edges of alerting events carry ``alert`` and the rules
that fired; ``graph.graph["root_cause"]`` is the first identity behind the earliest alerting
event, and every alerting event's chain back to its root is marked ``chain``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import networkx as nx
import orjson
from sqlglot import exp

from trailhound.incidents.identities import (
    Chains,
    EventReader,
    is_service,
    is_session,
    issued_key,
    json_object,
    open_lake_backend,
    walk_chains,
)
from trailhound.store.base import Backend

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir

    Graph: TypeAlias = nx.DiGraph[str]  # node IDs are strings: ``kind:value``

MAX_ALERT_EVENTS = 2000
MAX_CONTEXT_EVENTS = 5000
CONTEXT = timedelta(hours=1)  # other calls of the incident's principals this long around it
EVENT_IDS_KEPT = 20  # per node and edge, for pivoting to the events
# requestParameters fields that name a resource, and the resource's kind.
RESOURCE_PARAMETERS = {
    "bucketName": "bucket",
    "keyId": "kms_key",
    "accessKeyId": "access_key",
    "instanceId": "instance",
    "roleArn": "role",
    "roleName": "role",
    "userName": "user",
    "groupId": "security_group",
    "vpcEndpointId": "vpc_endpoint",
    "functionName": "function",
    "secretId": "secret",
    "snapshotId": "snapshot",
    "dBSnapshotIdentifier": "db_snapshot",
    "imageId": "image",
    "policyArn": "policy",
    "trailName": "trail",
}
ARN_KINDS = {
    "AWS::S3::Bucket": "bucket",
    "AWS::S3::Object": "object",
    "AWS::KMS::Key": "kms_key",
    "AWS::EC2::Instance": "instance",
    "AWS::IAM::Role": "role",
    "AWS::IAM::User": "user",
    "AWS::CloudTrail::Trail": "trail",
    "AWS::EC2::VPCEndpoint": "vpc_endpoint",
}
IP_TAGS = {"src_country": "country", "src_asn": "asn", "src_is_tor": "tor", "src_in_aws": "aws"}


def _service(event_source: object) -> str:
    return str(event_source or "unknown").removesuffix(".amazonaws.com")


def _account(event: dict[str, Any]) -> str:
    return str(event.get("recipient_account_id") or "")


def identity_path(event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The identity nodes behind an event, outermost first, ending with the one that acted:
    ``[role, session]`` for a role session, ``[user]`` for an IAM user."""
    kind = event.get("user_type")
    actor = str(event.get("actor") or "unknown")
    issuer = event.get("session_issuer_arn")
    if kind == "AssumedRole" and issuer:
        return [
            (f"role:{issuer}", {"kind": "role", "label": str(issuer).split("/")[-1]}),
            (f"session:{actor}", {"kind": "session", "label": actor.split("/")[-1]}),
        ]
    if kind == "IAMUser":
        return [(f"user:{event.get('user_arn') or actor}", {"kind": "user", "label": actor})]
    if kind == "Root":
        return [(f"root:{actor}", {"kind": "root", "label": f"root {_account(event)}"})]
    if kind == "FederatedUser":
        path = [(f"federated:{actor}", {"kind": "federated", "label": actor.split("/")[-1]})]
        if issuer:
            path.insert(0, (f"user:{issuer}", {"kind": "user", "label": str(issuer)}))
        return path
    if is_service(event):
        return [(f"service:{actor}", {"kind": "service", "label": actor})]
    return [(f"principal:{actor}", {"kind": "principal", "label": actor})]


def _resources(event: dict[str, Any]) -> list[tuple[str, str]]:
    """``(kind, value)`` of the resources an event's call names."""
    found: list[tuple[str, str]] = []
    params = json_object(event.get("request_parameters"))
    account = _account(event)
    for field, kind in RESOURCE_PARAMETERS.items():
        value = params.get(field)
        if not isinstance(value, str) or not value:
            continue
        if kind == "role" and not value.startswith("arn:"):
            value = f"arn:aws:iam::{account}:role/{value}"
        elif kind == "user" and not value.startswith("arn:"):
            value = f"arn:aws:iam::{account}:user/{value}"
        found.append((kind, value))
    if isinstance(params.get("key"), str) and isinstance(params.get("bucketName"), str):
        found.append(("object", f"{params['bucketName']}/{params['key']}"))
    if _service(event.get("event_source")) == "cloudtrail" and isinstance(params.get("name"), str):
        found.append(("trail", params["name"]))
    response = json_object(event.get("response_elements"))
    for part in (params, response):
        items = (part.get("instancesSet") or {}) if isinstance(part, dict) else {}
        for item in items.get("items") or [] if isinstance(items, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("instanceId"), str):
                found.append(("instance", item["instanceId"]))
    if event.get("vpc_endpoint_id"):
        found.append(("vpc_endpoint", str(event["vpc_endpoint_id"])))
    try:
        listed = orjson.loads(event["resources"]) if event.get("resources") else []
    except orjson.JSONDecodeError:
        listed = []
    for resource in listed if isinstance(listed, list) else []:
        if isinstance(resource, dict) and isinstance(resource.get("ARN"), str):
            kind = ARN_KINDS.get(str(resource.get("type")), "resource")
            value = resource["ARN"]
            if kind == "bucket":
                value = value.removeprefix("arn:aws:s3:::")
            found.append((kind, value))
    key = issued_key(event)
    if key:
        found.append(("access_key", key))
    return list(dict.fromkeys(found))


def _resource_node(kind: str, value: str) -> str:
    if kind == "access_key":
        return f"key:{value}"
    if kind in ("role", "user"):
        return f"{kind}:{value}"
    return f"{kind}:{value}"


class _Builder:
    """Adds events to a graph, counting repeats on nodes and edges."""

    def __init__(self, alerting: dict[str, list[str]]) -> None:
        self.graph: Graph = nx.DiGraph()
        self.alerting = alerting  # event ID → rule IDs
        self.added: dict[str, str] = {}  # event ID → its acting node
        self.counted: set[tuple[str, str]] = set()  # (node or edge, event ID) counted once

    def node(self, node_id: str, event: dict[str, Any], **attrs: Any) -> str:
        graph = self.graph
        if node_id not in graph:
            graph.add_node(node_id, count=0, alert=False, event_ids=[], rule_ids=[], **attrs)
        self._count(node_id, graph.nodes[node_id], event)
        return node_id

    def edge(self, source: str, target: str, kind: str, event: dict[str, Any]) -> None:
        if source == target:
            return
        graph = self.graph
        if not graph.has_edge(source, target):
            graph.add_edge(source, target, kind=kind, count=0, alert=False, event_ids=[],
                           rule_ids=[])  # fmt: skip
        self._count(f"{source}\x1f{target}", graph.edges[source, target], event)

    def _count(self, element: str, attrs: dict[str, Any], event: dict[str, Any]) -> None:
        if (element, event["event_id"]) in self.counted:
            return
        self.counted.add((element, event["event_id"]))
        attrs["count"] += 1
        when = event["event_time"]
        attrs["first_seen"] = min(attrs.get("first_seen") or when, when)
        attrs["last_seen"] = max(attrs.get("last_seen") or when, when)
        if len(attrs["event_ids"]) < EVENT_IDS_KEPT:
            attrs["event_ids"].append(event["event_id"])
        rules = self.alerting.get(event["event_id"])
        if rules:
            attrs["alert"] = True
            attrs["rule_ids"] = sorted(set(attrs["rule_ids"]) | set(rules))

    def add(self, event: dict[str, Any]) -> str:
        """Add one event's identities, key, address, call and resources; the acting node."""
        if event["event_id"] in self.added:
            return self.added[event["event_id"]]
        path = identity_path(event)
        for node_id, attrs in path:
            self.node(node_id, event, **attrs)
        for (outer, _), (inner, _) in itertools.pairwise(path):
            self.edge(outer, inner, "assumed", event)
        actor = path[-1][0]
        key = event.get("user_access_key_id")
        if key:
            self.node(f"key:{key}", event, kind="access_key", label=str(key))
            self.edge(actor, f"key:{key}", "authenticated-with", event)
        address = event.get("source_ip_address")
        if address:
            tags = {IP_TAGS[c]: event[c] for c in IP_TAGS if event.get(c) is not None}
            self.node(f"ip:{address}", event, kind="ip", label=str(address), **tags)
            self.edge(actor, f"ip:{address}", "called-from", event)
        service, name = _service(event.get("event_source")), str(event.get("event_name"))
        call = self.node(
            f"api:{service}:{name}", event, kind="api_call", label=f"{service}:{name}",
            service=service, name=name, errors=0,
        )  # fmt: skip
        if event.get("error_code"):
            self.graph.nodes[call]["errors"] += 1
        self.edge(actor, call, "called", event)
        for kind, value in _resources(event):
            target = _resource_node(kind, value)
            self.node(target, event, kind=kind, label=value)
            self.edge(call, target, "touched", event)
        self.added[event["event_id"]] = actor
        return actor


def _root_node(event: dict[str, Any], chains: Chains) -> tuple[str, list[dict[str, Any]]]:
    """The node of the first identity behind an event, and the issuing calls on the way."""
    steps = chains.chain(event)
    first = steps[-1] if steps else event
    if is_session(first) and first.get("session_source_identity"):
        return f"source-identity:{first['session_source_identity']}", steps
    return identity_path(first)[0][0], steps


def incident_events(
    reader: EventReader, incident: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The events an incident's graph shows, and ``event ID → rule IDs`` of the alerting ones."""
    alerting: dict[str, list[str]] = {}
    for alert in incident.get("alerts", []):
        for event_id in alert["event_ids"]:
            alerting.setdefault(event_id, []).append(alert["rule_id"])
    first, last = incident["first_seen"], incident["last_seen"]
    ids = sorted(alerting)[:MAX_ALERT_EVENTS]
    events = {e["event_id"]: e for e in reader.by_ids(ids, first, last)}
    principals = sorted(set(incident.get("principals") or ()))
    keys = sorted(set(incident.get("access_keys") or ()))
    clauses: list[exp.Expr] = []
    if principals:
        clauses.append(exp.column("actor").isin(*principals))
    if keys:
        clauses.append(exp.column("user_access_key_id").isin(*keys))
    if clauses:
        context = reader.select(
            exp.or_(*clauses), first - CONTEXT, last + CONTEXT, limit=MAX_CONTEXT_EVENTS
        )
        for event in context:
            events.setdefault(event["event_id"], event)
    return sorted(events.values(), key=lambda e: (e["event_time"], e["event_id"])), alerting


def build_graph(incident: dict[str, Any], backend: Backend) -> Graph:
    """The root-cause graph of an incident (as ``IncidentStore.get`` returns it, with its
    alerts), from the events the backend reads."""
    reader = EventReader(backend)
    events, alerting = incident_events(reader, incident)
    chains = walk_chains(reader, events)
    builder = _Builder(alerting)
    for event in events:
        builder.add(event)
    graph = builder.graph
    roots: list[str] = []
    for event in (e for e in events if e["event_id"] in alerting):
        root, steps = _root_node(event, chains)
        path = [p for p, _ in identity_path(event)]
        for issuer in steps:  # nearest first: caller → the role (or key) it issued
            caller = builder.add(issuer)
            builder.edge(caller, path[0], "assumed", issuer)
            if graph.has_edge(caller, path[0]):
                graph.edges[caller, path[0]]["via"] = issuer["event_name"]
            path = [*(p for p, _ in identity_path(issuer)), *path]
        if root.startswith("source-identity:"):
            label = root.removeprefix("source-identity:")
            builder.node(root, event, kind="source_identity", label=label)
            builder.edge(root, path[0], "assumed", event)
            path.insert(0, root)
        graph.nodes[root]["root_cause"] = True
        for outer, inner in itertools.pairwise(path):
            if graph.has_edge(outer, inner):
                graph.edges[outer, inner]["chain"] = True
        roots.append(root)
    graph.graph["incident"] = incident["id"]
    graph.graph["root_cause"] = roots[0] if roots else None
    graph.graph["events"] = len(events)
    return graph


def incident_graph(data_dir: DataDir, incident_id: str) -> Graph:
    """The root-cause graph of a stored incident (a unique ID prefix is enough), reading only
    the lake's days around it."""
    from trailhound.incidents.store import IncidentStore
    from trailhound.store.state import StateDB

    incident = IncidentStore(StateDB(data_dir.state_db)).get(incident_id)
    start, end = incident["first_seen"] - CONTEXT, incident["last_seen"] + CONTEXT
    backend = open_lake_backend(data_dir, start, end)
    try:
        return build_graph(incident, backend)
    finally:
        backend.close()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def to_json(graph: Graph) -> dict[str, Any]:
    """The graph as a JSON-ready document: ``nodes`` and ``edges`` (``source``, ``target``)."""
    return {
        **{k: _plain(v) for k, v in graph.graph.items()},
        "nodes": [
            {"id": n, **{k: _plain(v) for k, v in attrs.items()}}
            for n, attrs in graph.nodes(data=True)
        ],
        "edges": [
            {"source": s, "target": t, **{k: _plain(v) for k, v in attrs.items()}}
            for s, t, attrs in graph.edges(data=True)
        ],
    }


def _graphml_value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | dict):
        return orjson.dumps(sorted(value) if isinstance(value, set) else value).decode()
    return _plain(value)


def _graphml_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: _graphml_value(v) for k, v in attrs.items() if v is not None}


def to_graphml(graph: Graph) -> str:
    """The graph as GraphML text (lists as JSON strings, times as ISO 8601)."""
    plain: Graph = nx.DiGraph()
    plain.graph.update(_graphml_attrs(graph.graph))
    for node, attrs in graph.nodes(data=True):
        plain.add_node(node, **_graphml_attrs(attrs))
    for source, target, attrs in graph.edges(data=True):
        plain.add_edge(source, target, **_graphml_attrs(attrs))
    return "\n".join(nx.generate_graphml(plain)) + "\n"


def chain_nodes(graph: Graph) -> Iterable[str]:
    """The nodes on a chain edge, in no particular order."""
    for source, target, attrs in graph.edges(data=True):
        if attrs.get("chain"):
            yield source
            yield target
