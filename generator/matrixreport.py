"""The allowed-connection matrix as people read it: a text table and JSON rows."""

from __future__ import annotations

import json

from generator.addresses import describe_blocks, is_address
from generator.connectivity import Matrix, Network, format_ports


def rows(matrix: Matrix, network: Network) -> list[tuple[str, str, str, str]]:
    """(source, destination, protocol, ports), address blocks merged where they share the rest."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    out = []
    for (source, destination, protocol), ports in sorted(matrix.items()):
        text = format_ports(ports)
        if is_address(destination):
            grouped.setdefault((source, protocol, text), []).append(destination)
        elif is_address(source):
            grouped.setdefault((destination, protocol, "<" + text), []).append(source)
        else:
            out.append((source, destination, protocol, text))
    for (end, protocol, text), blocks in grouped.items():
        for block in describe_blocks(blocks, network.internal()):
            if text.startswith("<"):
                out.append((block, end, protocol, text[1:]))
            else:
                out.append((end, block, protocol, text))
    return sorted(out)


def to_table(matrix: Matrix, network: Network) -> str:
    header = ("SOURCE", "DESTINATION", "PROTOCOL", "PORTS")
    table = [header, *rows(matrix, network)]
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    return "\n".join(
        "  ".join([*(r[i].ljust(widths[i]) for i in range(3)), r[3]]).rstrip() for r in table
    )


def to_json(matrix: Matrix, network: Network) -> str:
    return json.dumps(
        [
            {"source": s, "destination": d, "protocol": p, "ports": t}
            for s, d, p, t in rows(matrix, network)
        ],
        indent=2,
    )
