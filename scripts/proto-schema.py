#!/usr/bin/env python3
"""Writes src/sim/http/protobuf/schema.txt: the protobuf field numbers of the Kubernetes types that
kubectl's `create` subcommands send as protobuf, read from the upstream generated.proto files.

usage: scripts/proto-schema.py DIR   (DIR holds core_v1.proto, apps_v1.proto, ..., meta_v1.proto,
       resource.proto, intstr.proto, runtime.proto from k8s.io/api and k8s.io/apimachinery)

One line per field: `MESSAGE NUMBER NAME LABEL TYPE`, LABEL `1` (one), `*` (repeated) or `m` (map,
TYPE is the value type). TYPE is a scalar (string, bytes, int32, int64, bool, double) or a MESSAGE.
"""
import re
import sys
from pathlib import Path

FILES = {
    "core_v1": "v1", "apps_v1": "apps/v1", "autoscaling_v1": "autoscaling/v1", "batch_v1": "batch/v1", "networking_v1": "networking.k8s.io/v1",
    "policy_v1": "policy/v1", "rbac_v1": "rbac.authorization.k8s.io/v1", "scheduling_v1": "scheduling.k8s.io/v1",
    "meta_v1": "meta", "resource": "resource", "intstr": "intstr", "runtime": "runtime",
}
ROOTS = [
    "v1.Namespace", "v1.ConfigMap", "v1.Secret", "v1.Service", "v1.ServiceAccount", "v1.ResourceQuota",
    "apps/v1.Deployment", "autoscaling/v1.HorizontalPodAutoscaler", "batch/v1.Job", "batch/v1.CronJob", "networking.k8s.io/v1.Ingress",
    "policy/v1.PodDisruptionBudget", "scheduling.k8s.io/v1.PriorityClass", "rbac.authorization.k8s.io/v1.Role", "rbac.authorization.k8s.io/v1.ClusterRole",
    "rbac.authorization.k8s.io/v1.RoleBinding", "rbac.authorization.k8s.io/v1.ClusterRoleBinding", "runtime.Unknown",
]
SCALARS = {"string", "bytes", "int32", "int64", "bool", "double", "float", "uint32", "uint64", "sint32", "sint64"}
FIELD = re.compile(r"^\s*(optional|repeated)?\s*(map<\s*string\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;")


def short(pkg_map, full, here):
    full = full.lstrip(".")
    if full in SCALARS:
        return full
    if "." not in full:
        return f"{here}.{full}"
    pkg, _, name = full.rpartition(".")
    return f"{pkg_map.get(pkg, pkg)}.{name}"


def main(src):
    pkg_map, messages = {}, {}
    texts = {}
    for stem, prefix in FILES.items():
        text = (Path(src) / f"{stem}.proto").read_text()
        pkg = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        pkg_map[pkg] = prefix
        texts[prefix] = text
    for prefix, text in texts.items():
        current = None
        for line in text.splitlines():
            m = re.match(r"^message (\w+) \{", line)
            if m:
                current = f"{prefix}.{m.group(1)}"
                messages[current] = []
                continue
            if line.startswith("}"):
                current = None
                continue
            f = FIELD.match(line) if current else None
            if f:
                label, ty, map_value, name, num = f.groups()
                if map_value:
                    messages[current].append((int(num), name, "m", short(pkg_map, map_value, prefix)))
                else:
                    messages[current].append((int(num), name, "*" if label == "repeated" else "1", short(pkg_map, ty, prefix)))
    seen, todo = [], list(ROOTS)
    while todo:
        m = todo.pop()
        if m in seen or m in SCALARS:
            continue
        if m not in messages:
            sys.exit(f"unknown message {m}")
        seen.append(m)
        todo.extend(t for _, _, _, t in messages[m])
    out = []
    for m in sorted(seen):
        for num, name, label, ty in messages[m]:
            out.append(f"{m} {num} {name} {label} {ty}")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
