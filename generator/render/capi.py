"""bootstrap/clusters/<cluster>/: Cluster API objects for Hetzner (CAPH), kubeadm flavour.

Machine templates are immutable once created, so their names carry a hash of their spec: a new
server type yields a new template, and the MachineDeployment rolls over to it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from generator.manifests import Manifest, Origin, Tree
from generator.model import IN_CLUSTER, Cluster, NodePool
from generator.netpol import baseline, namespace_object

CAPI = "cluster.x-k8s.io/v1beta1"
INFRA = "infrastructure.cluster.x-k8s.io/v1beta1"
BOOTSTRAP = "bootstrap.cluster.x-k8s.io/v1beta1"
CONTROLPLANE = "controlplane.cluster.x-k8s.io/v1beta1"
IMAGE = "ubuntu-24.04"
BARE_METAL_IMAGE = {
    "name": "Ubuntu-2404-noble-amd64-base",
    "path": "/root/.oldroot/nfs/images/Ubuntu-2404-noble-amd64-base.tar.gz",
}
NETWORK_ZONES = {
    "fsn1": "eu-central",
    "nbg1": "eu-central",
    "hel1": "eu-central",
    "ash": "us-east",
    "hil": "us-west",
    "sin": "ap-southeast",
}
# The Secret CAPH reads credentials from; it holds tokens, so it is created by hand, not in git.
SECRET = "hetzner"
EXTERNAL_CLOUD = {"cloud-provider": "external"}
# The Secret holding the SSH key CAPH uses in the Robot rescue system, created by hand too.
ROBOT_SSH = "robot-ssh"
ROBOT_SSH_KEYS = {
    "name": "sshkey-name",
    "privateKey": "ssh-privatekey",
    "publicKey": "ssh-publickey",
}
# Hetzner's installimage images carry no cloud-init, which CAPH's bare-metal bootstrap runs on.
CLOUD_INIT_INSTALL = """#!/bin/bash
set -euo pipefail
mkdir -p /etc/cloud/cloud.cfg.d
echo 'network: {config: disabled}' > /etc/cloud/cloud.cfg.d/99-custom-networking.cfg
apt-get update && apt-get install -y cloud-init apparmor apparmor-utils
cloud-init clean --logs
"""
# A new node is NotReady until the CNI reaches it through registration and Argo CD: minutes.
# Remediating it sooner would replace nodes forever; while every node waits for the CNI,
# maxUnhealthy (a third) stops remediation altogether.
UNHEALTHY = [
    {"type": "Ready", "status": "Unknown", "timeout": "15m"},
    {"type": "Ready", "status": "False", "timeout": "15m"},
]
# A machine must have joined (a Node exists) within this; bare metal installs an image first.
NODE_STARTUP = {False: "20m", True: "45m"}
DEFAULT_PORT = 6443


def capi_namespace(cluster: Cluster) -> str:
    return f"capi-{cluster.name}"


def capi_version(cluster: Cluster) -> str:
    """An exact version; a bare minor means its .0 release (the plan warns about it)."""
    version = cluster.kubernetes_version
    return f"v{version}.0" if version.count(".") == 1 else f"v{version}"


def node_setup(version: str) -> list[str]:
    """Commands that turn a plain Ubuntu image into a kubeadm node of exactly `version`.

    CAPH boots stock Hetzner images; without a pre-built image, containerd, kubelet and
    kubeadm must be installed before kubeadm runs.
    """
    exact = version.removeprefix("v")
    minor = ".".join(exact.split(".")[:2])
    repo = f"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/"
    keyring = "/etc/apt/keyrings/kubernetes.gpg"
    return [
        "modprobe overlay && modprobe br_netfilter",
        "printf 'overlay\\nbr_netfilter\\n' > /etc/modules-load.d/k8s.conf",
        "printf 'net.bridge.bridge-nf-call-iptables=1\\nnet.ipv4.ip_forward=1\\n"
        "net.bridge.bridge-nf-call-ip6tables=1\\n' > /etc/sysctl.d/k8s.conf && sysctl --system",
        "apt-get update && apt-get install -y apt-transport-https ca-certificates curl gpg "
        "containerd",
        "mkdir -p /etc/containerd /etc/apt/keyrings",
        "containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' "
        "> /etc/containerd/config.toml && systemctl restart containerd",
        f"curl -fsSL {repo}Release.key | gpg --dearmor -o {keyring}",
        f"echo 'deb [signed-by={keyring}] {repo} /' > /etc/apt/sources.list.d/kubernetes.list",
        f"apt-get update && apt-get install -y kubelet={exact}-* kubeadm={exact}-* "
        f"kubectl={exact}-*",
        "apt-mark hold kubelet kubeadm kubectl",
    ]


def _hashed(name: str, spec: Any) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    return f"{name}-{digest}"


def _obj(
    api: str, kind: str, name: str, namespace: str, spec: Any, **labels: str
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


def _machine_template(cluster: Cluster, pool: NodePool, namespace: str) -> dict[str, Any]:
    if pool.bare_metal:
        spec = {
            "template": {
                "spec": {
                    "hostSelector": {"matchLabels": {"cluster": cluster.name, "pool": pool.name}},
                    "installImage": {
                        "image": dict(BARE_METAL_IMAGE),
                        "partitions": [
                            {"fileSystem": "esp", "mount": "/boot/efi", "size": "512M"},
                            {"fileSystem": "ext4", "mount": "/", "size": "all"},
                        ],
                        "postInstallScript": CLOUD_INIT_INSTALL,
                    },
                    "sshSpec": {
                        "secretRef": {"name": ROBOT_SSH, "key": dict(ROBOT_SSH_KEYS)},
                        "portAfterInstallImage": 22,
                    },
                }
            }
        }
        kind = "HetznerBareMetalMachineTemplate"
    else:
        spec = {
            "template": {
                "spec": {
                    "type": pool.server_type.name,
                    "imageName": IMAGE,
                    "placementGroupName": pool.name,
                }
            }
        }
        kind = "HCloudMachineTemplate"
    name = _hashed(f"{cluster.name}-{pool.name}", {"kind": kind, "spec": spec})
    return _obj(INFRA, kind, name, namespace, spec)


def endpoint(cluster: Cluster) -> tuple[str | None, int]:
    """The catalogue's `server` as (host, port): the port the control-plane load balancer
    listens on, and a name the API server's certificate must cover. The address itself is the
    load balancer's, which Cluster API writes into the kubeconfig that registers the cluster:
    registration and certificate agree by construction, and no DNS record has to exist before
    the first control plane boots."""
    if cluster.server == IN_CLUSTER:  # no `server` in the catalogue
        return None, DEFAULT_PORT
    parts = urlsplit(cluster.server)
    return parts.hostname, parts.port or 443


def render_capi(cluster: Cluster, hub_minor: str, tree: Tree) -> None:
    namespace = capi_namespace(cluster)
    version = capi_version(cluster)
    origin = Origin(cluster.location, "Cluster API")
    folder = f"bootstrap/clusters/{cluster.name}"
    control = next(p for p in cluster.node_pools if p.role == "control-plane")
    workers = [p for p in cluster.node_pools if p.role == "worker"]
    bare_metal = any(p.bare_metal for p in cluster.node_pools)
    host, port = endpoint(cluster)
    ssh_keys: dict[str, Any] = {"hcloud": [{"name": cluster.ssh_key}]}
    if bare_metal:
        ssh_keys["robotRescueSecretRef"] = {"name": ROBOT_SSH, "key": dict(ROBOT_SSH_KEYS)}
    api_server: dict[str, Any] = {"extraArgs": dict(EXTERNAL_CLOUD)}
    if host:
        api_server["certSANs"] = [host]
    objects: list[dict[str, Any]] = [
        namespace_object(namespace),
        *baseline(namespace),
        _obj(
            CAPI,
            "Cluster",
            cluster.name,
            namespace,
            {
                "clusterNetwork": {
                    "pods": {"cidrBlocks": [cluster.network.pod_cidr]},
                    "services": {"cidrBlocks": [cluster.network.service_cidr]},
                },
                "infrastructureRef": {
                    "apiVersion": INFRA,
                    "kind": "HetznerCluster",
                    "name": cluster.name,
                },
                "controlPlaneRef": {
                    "apiVersion": CONTROLPLANE,
                    "kind": "KubeadmControlPlane",
                    "name": f"{cluster.name}-control-plane",
                },
            },
        ),
        _obj(
            INFRA,
            "HetznerCluster",
            cluster.name,
            namespace,
            {
                "controlPlaneRegions": [cluster.region],
                "controlPlaneLoadBalancer": {"region": cluster.region, "port": port},
                # Dedicated servers cannot join a Hetzner Cloud private network.
                "hcloudNetwork": {
                    "enabled": not bare_metal,
                    "networkZone": NETWORK_ZONES[cluster.region],
                },
                "hcloudPlacementGroups": [
                    {"name": p.name, "type": "spread"}
                    for p in cluster.node_pools
                    if not p.bare_metal
                ],
                "hetznerSecretRef": {
                    "name": SECRET,
                    "key": {
                        "hcloudToken": "hcloud",
                        "hetznerRobotUser": "robot-user",
                        "hetznerRobotPassword": "robot-password",
                    },
                },
                "sshKeys": ssh_keys,
            },
        ),
    ]
    control_template = _machine_template(cluster, control, namespace)
    objects.append(control_template)
    objects.append(
        _obj(
            CONTROLPLANE,
            "KubeadmControlPlane",
            f"{cluster.name}-control-plane",
            namespace,
            {
                "replicas": control.count,
                "version": version,
                "machineTemplate": {
                    "infrastructureRef": {
                        "apiVersion": INFRA,
                        "kind": control_template["kind"],
                        "name": control_template["metadata"]["name"],
                    }
                },
                "kubeadmConfigSpec": {
                    "preKubeadmCommands": node_setup(version),
                    "clusterConfiguration": {
                        "apiServer": api_server,
                        "controllerManager": {"extraArgs": dict(EXTERNAL_CLOUD)},
                    },
                    "initConfiguration": {
                        "nodeRegistration": {"kubeletExtraArgs": dict(EXTERNAL_CLOUD)}
                    },
                    "joinConfiguration": {
                        "nodeRegistration": {"kubeletExtraArgs": dict(EXTERNAL_CLOUD)}
                    },
                },
            },
        )
    )
    objects.append(
        _health_check(
            cluster,
            f"{cluster.name}-control-plane",
            namespace,
            {"cluster.x-k8s.io/control-plane": ""},
            control.bare_metal,
        )
    )
    for pool in workers:
        template = _machine_template(cluster, pool, namespace)
        config_spec = {
            "template": {
                "spec": {
                    "preKubeadmCommands": node_setup(version),
                    "joinConfiguration": {
                        "nodeRegistration": {"kubeletExtraArgs": dict(EXTERNAL_CLOUD)}
                    },
                }
            }
        }
        config = _obj(
            BOOTSTRAP,
            "KubeadmConfigTemplate",
            _hashed(f"{cluster.name}-{pool.name}", config_spec),
            namespace,
            config_spec,
        )
        deployment = f"{cluster.name}-{pool.name}"
        pool_labels = {"cluster.x-k8s.io/cluster-name": cluster.name, "pool": pool.name}
        objects.extend([template, config])
        objects.append(
            _obj(
                CAPI,
                "MachineDeployment",
                deployment,
                namespace,
                {
                    "clusterName": cluster.name,
                    "replicas": pool.count,
                    "selector": {"matchLabels": pool_labels},
                    "template": {
                        "metadata": {"labels": pool_labels},
                        "spec": {
                            "clusterName": cluster.name,
                            "version": version,
                            "failureDomain": cluster.region,
                            "bootstrap": {
                                "configRef": {
                                    "apiVersion": BOOTSTRAP,
                                    "kind": "KubeadmConfigTemplate",
                                    "name": config["metadata"]["name"],
                                }
                            },
                            "infrastructureRef": {
                                "apiVersion": INFRA,
                                "kind": template["kind"],
                                "name": template["metadata"]["name"],
                            },
                        },
                    },
                },
            )
        )
        objects.append(_health_check(cluster, deployment, namespace, pool_labels, pool.bare_metal))
    tree.add(f"{folder}/cluster.yaml", *(Manifest(body, origin, (hub_minor,)) for body in objects))


def _health_check(
    cluster: Cluster, name: str, namespace: str, selector: dict[str, str], bare_metal: bool
) -> dict[str, Any]:
    return _obj(
        CAPI,
        "MachineHealthCheck",
        name,
        namespace,
        {
            "clusterName": cluster.name,
            "selector": {"matchLabels": selector},
            "maxUnhealthy": "33%",
            "nodeStartupTimeout": NODE_STARTUP[bare_metal],
            "unhealthyConditions": UNHEALTHY,
        },
    )
