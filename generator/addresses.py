"""Address blocks as integer intervals: what ipBlocks and Cilium CIDR rules match, the
blocks outside a cluster's own ranges, and how to write a set of blocks back as people do."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

# (IP version, first address, last address) as integers.
Interval = tuple[int, int, int]


@cache
def interval(cidr: str) -> Interval:
    net = ipaddress.ip_network(cidr, strict=False)
    return (net.version, int(net.network_address), int(net.broadcast_address))


def contains(outer: Interval, inner: Interval) -> bool:
    return outer[0] == inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2]


def ip_block(block: Mapping[str, Any]) -> tuple[Interval, list[Interval]]:
    return interval(block["cidr"]), [interval(e) for e in block.get("except", [])]


def block_covers(block: tuple[Interval, list[Interval]], target: Interval) -> bool:
    cidr, excepts = block
    overlapping = (e for e in excepts if e[0] == target[0])
    return contains(cidr, target) and not any(
        e[1] <= target[2] and target[1] <= e[2] for e in overlapping
    )


def address_atoms(cidrs: Iterable[str], internal: list[Interval]) -> list[str]:
    """The address space outside the cluster, cut at every boundary the policies name, as
    endpoints: each block is matched by a policy entirely or not at all."""
    cuts: dict[int, set[int]] = {4: {0, 2**32}}
    for version, lo, hi in [*(interval(c) for c in cidrs), *internal]:
        cuts.setdefault(version, {0, 2**128}).update({lo, hi + 1})
    atoms = []
    for version, points in cuts.items():
        ordered = sorted(points)
        for lo, nxt in itertools.pairwise(ordered):
            if any(contains(i, (version, lo, nxt - 1)) for i in internal):
                continue
            atoms.extend(cidrs_between(version, lo, nxt - 1))
    return atoms


def cidrs_between(version: int, lo: int, hi: int) -> list[str]:
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return [str(n) for n in ipaddress.summarize_address_range(make(lo), make(hi))]


def describe_blocks(atoms: Iterable[str], internal: list[Interval]) -> list[str]:
    """Address blocks as people write ipBlocks: `192.168.0.0/16 except 192.168.1.0/24`, the
    cluster's own ranges left out of the exceptions (they are never address endpoints)."""
    by_version: dict[int, list[Interval]] = {}
    for atom in atoms:
        block = interval(atom)
        by_version.setdefault(block[0], []).append(block)
    out = []
    for version, intervals in sorted(by_version.items()):
        bits = 32 if version == 4 else 128
        lo, hi = min(i[1] for i in intervals), max(i[2] for i in intervals)
        prefix = bits - (lo ^ hi).bit_length()
        cover_lo = lo >> (bits - prefix) << (bits - prefix) if prefix else 0
        cover = (version, cover_lo, cover_lo + (1 << (bits - prefix)) - 1)
        taken = sorted([*intervals, *(i for i in internal if i[0] == version)])
        holes, at = [], cover[1]
        for _, start, end in taken:
            if start > at:
                holes.extend(cidrs_between(version, at, min(start - 1, cover[2])))
            at = max(at, end + 1)
        if at <= cover[2]:
            holes.extend(cidrs_between(version, at, cover[2]))
        pieces = [c for i in _merge(intervals) for c in cidrs_between(version, i[1], i[2])]
        first = cidrs_between(version, cover[1], cover[2])[0]
        if len(holes) < len(pieces):
            out.append(f"{first} except {','.join(holes)}" if holes else first)
        else:
            out.extend(pieces)
    return out


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for interval in sorted(intervals):
        if out and interval[1] <= out[-1][2] + 1:
            out[-1] = (out[-1][0], out[-1][1], max(out[-1][2], interval[2]))
        else:
            out.append(interval)
    return out


@cache
def is_address(endpoint: str) -> bool:
    try:
        ipaddress.ip_network(endpoint)
    except ValueError:
        return False
    return True
