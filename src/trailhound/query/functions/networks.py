"""``incidr(ip, "cidr[, cidr…]")`` and ``incidr6``: is an address inside a network.

``incidr`` takes IPv4 networks and IPv6 networks whose prefix is whole hextets (/16, /32 …);
``incidr6`` takes IPv6 networks of any prefix length (/20, /36, /60 …).
"""

from __future__ import annotations

import ipaddress

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.functions.arguments import string_argument
from trailhound.query.network import in_networks, parse_networks
from trailhound.query.registry import function
from trailhound.query.values import BOOLEAN, Typed, as_text


@function("incidr", arguments=(2, 2))
def incidr(context: ExpressionContext, call: ast.Call) -> Typed:
    """``incidr(ip, "cidr[, cidr…]")``: the address is in one of the networks (IPv4 or IPv6)."""
    cidr = string_argument(context, call, 1, 'the network ("10.0.0.0/8")')
    try:
        networks = parse_networks(cidr.value, any_ipv6_prefix=call.name == "incidr6")
    except ValueError as error:
        raise context.error(f"bad network {cidr.value!r}: {error}", cidr.position) from None
    if call.name == "incidr6" and any(isinstance(n, ipaddress.IPv4Network) for n in networks):
        raise context.error("incidr6() takes IPv6 networks; use incidr() for IPv4", cidr.position)
    address = as_text(context.value(call.args[0]))
    return Typed(in_networks(address, networks), BOOLEAN)


function("incidr6", arguments=(2, 2))(incidr)
