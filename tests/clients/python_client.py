"""The official Python client (`kubernetes` from PyPI) against `sandbox serve`: list, create, watch.

usage: python_client.py KUBECONFIG   (prints one line per check; exits non-zero on the first failure)
"""
import sys

from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()

pods = core.list_namespaced_pod("kube-system")
names = sorted(p.metadata.name for p in pods.items)
assert "etcd-sandbox-control-plane" in names, names
print(f"listed {len(names)} kube-system pods")

nodes = core.list_node()
ready = [n.metadata.name for n in nodes.items if any(c.type == "Ready" and c.status == "True" for c in n.status.conditions)]
assert len(ready) == 4, ready
print(f"{len(ready)} nodes Ready")

before = core.list_namespaced_config_map("default").metadata.resource_version
body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python"), data={"answer": "42"})
created = core.create_namespaced_config_map("default", body)
assert created.metadata.uid, created
print(f"created configmap {created.metadata.name}")

try:
    core.create_namespaced_config_map("default", body)
    sys.exit("a second create of the same name succeeded")
except client.exceptions.ApiException as e:
    assert e.status == 409, e
    print(f"second create refused: {e.status} {e.reason}")

w = watch.Watch()
for event in w.stream(core.list_namespaced_config_map, "default", resource_version=before, timeout_seconds=30):
    obj = event["object"]
    if obj.metadata.name == "from-python":
        print(f"watched {event['type']} configmap {obj.metadata.name} with data {obj.data}")
        w.stop()
        break
