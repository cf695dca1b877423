//! The cluster DNS as kind boots it (the kube-dns Service at 10.96.0.10 and a 2-replica CoreDNS
//! Deployment in kube-system), applied by the tests only if absent: once the cluster makes them at
//! boot, this helper finds them and does nothing.

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::world::World;

const KUBE_DNS: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
  - {name: metrics, port: 9153, protocol: TCP, targetPort: 9153}
"#;

const COREDNS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 2
  selector:
    matchLabels: {k8s-app: kube-dns}
  template:
    metadata:
      labels: {k8s-app: kube-dns}
    spec:
      priorityClassName: system-cluster-critical
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:v1.12.0
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        - {name: metrics, containerPort: 9153, protocol: TCP}
"#;

fn exists(w: &mut World, what: &str) -> bool {
    !kubectl::execute(w, &format!("get {what} -n kube-system"), None, &NoFiles).failed
}

/// Applies the kube-dns Service and the CoreDNS Deployment if they are not there, and lets them start.
pub fn ensure(w: &mut World) {
    for (what, yaml) in [("service kube-dns", KUBE_DNS), ("deployment coredns", COREDNS)] {
        if !exists(w, what) {
            let out = kubectl::execute(w, "apply -f -", Some(yaml), &NoFiles);
            assert!(!out.failed, "{what}: {out:?}");
        }
    }
}
