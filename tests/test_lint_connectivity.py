"""`gitops-gen lint --connectivity`: the allowed-connection matrix of a hand-written folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

MANIFESTS = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web,
      image: "nginx:1.27", ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api,
      image: "nginx:1.27", ports: [{name: grpc, containerPort: 9000}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: grpc}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 9000}]}]
"""


def test_the_matrix_lists_exactly_the_connection_both_ends_allow(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    (tmp_path / "shop.yaml").write_text(MANIFESTS)
    result = run("lint", "--connectivity", "--format", "json", tmp_path)
    assert result.exit_code == 0, result.stderr
    # web's egress names api's port by name (grpc = 9000), api admits web on 9000: one row;
    # api → web is denied both ways, nothing leaves for outside addresses or the nodes.
    assert json.loads(result.stdout) == [
        {"source": "shop/web", "destination": "shop/api", "protocol": "TCP", "ports": "9000"}
    ]
    table = run("lint", "--connectivity", tmp_path).stdout.splitlines()
    assert table[0].split() == ["SOURCE", "DESTINATION", "PROTOCOL", "PORTS"]
    assert table[1].split() == ["shop/web", "shop/api", "TCP", "9000"]


def test_a_bad_address_range_is_a_usage_error(tmp_path: Path, run: Callable[..., Result]) -> None:
    (tmp_path / "shop.yaml").write_text(MANIFESTS)
    result = run("lint", "--connectivity", "--node-cidr", "10.0.0.0/33", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "--node-cidr: '10.0.0.0/33' is not an address range"
