"""Who is asking: a request's client address, and the key its quotas are counted under.

Quotas (sessions and memory per client, `capacity/store.py`; connections per client,
`serve/edge.py`) count by the address a request comes from. Behind nginx every connection comes
from the proxy, so nginx passes the real address in `X-Real-IP` (overwriting whatever the
client sent, `deploy/nginx.conf.template`). A worker believes that header only on a connection
from an address it was told is its proxy (`TRUSTED_PROXIES`, `--trusted-proxies`; the classroom
launcher names loopback, where its nginx runs), never from anyone else: a client cannot choose
whose quota it spends.

An IPv6 client is counted by its /64 network: one machine is usually given a whole /64 and may
pick any address in it. An IPv4 address written as IPv6 (`::ffff:10.0.0.5`) counts as itself.
"""

import functools
import ipaddress

from flask import current_app, request

REAL_ADDRESS_HEADER = "X-Real-IP"


def parse_address(text):
    """An IP address from text ('10.0.0.5', '[::1]', 'fe80::1%eth0'), or None."""
    try:
        return ipaddress.ip_address(str(text).strip().strip("[]").split("%")[0])
    except ValueError:
        return None


def client_key(address):
    """The key a client's quotas count under: its IPv4 address, or its IPv6 /64 network."""
    ip = parse_address(address)
    if ip is None:
        return str(address)[:64] or "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@functools.lru_cache(maxsize=16)
def _networks(entries):
    return tuple(parse_networks(entries))


def parse_networks(entries):
    """Addresses or networks ('127.0.0.1', '10.0.0.0/24') → ip_network objects (ValueError names
    the first one that is neither)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip().strip("[]"), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network") from None
    return networks


def is_trusted(address, networks):
    """Whether a connection from `address` comes from one of the trusted proxies."""
    ip = parse_address(address)
    if ip is not None and ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip is not None and any(ip in network for network in networks)


def request_client():
    """The current request's client key: the connection's address, or the address its proxy
    vouches for when the connection comes from a trusted proxy."""
    remote = request.environ.get("REMOTE_ADDR", "")
    if is_trusted(remote, _networks(tuple(current_app.config["TRUSTED_PROXIES"]))):
        real = parse_address(request.headers.get(REAL_ADDRESS_HEADER, ""))
        if real is not None:
            return client_key(str(real))
    return client_key(remote)
