"""The matrix as a table and as JSON: address blocks written back the way ipBlocks are."""

from __future__ import annotations

import json

from generator.connectivity import analyze
from generator.matrixreport import to_json, to_table
from tests.test_connectivity import FLANNEL, web_with_egress


def test_blocks_are_written_with_their_exceptions() -> None:
    block = {"ipBlock": {"cidr": "192.168.0.0/16", "except": ["192.168.1.0/24"]}}
    ports = [{"port": 443}, {"port": 8000, "endPort": 8080}]
    objects = web_with_egress({"to": [block], "ports": ports})
    m = analyze(objects, FLANNEL)
    table = to_table(m, FLANNEL).splitlines()
    assert table[0].split() == ["SOURCE", "DESTINATION", "PROTOCOL", "PORTS"]
    assert "a/web      192.168.0.0/16 except 192.168.1.0/24  TCP       443,8000-8080" in table
    # every address outside the cluster's own ranges, which are never address endpoints
    assert "0.0.0.0/0  a/web                                 TCP       any" in table
    assert {
        "source": "a/web",
        "destination": "192.168.0.0/16 except 192.168.1.0/24",
        "protocol": "TCP",
        "ports": "443,8000-8080",
    } in json.loads(to_json(m, FLANNEL))
