# Events as the recorders write them: the kubelet's core Events count repeats (`count`), the
# scheduler's events.k8s.io/v1 Events count them in a `series`, written when it starts and again when
# it ends. Both read the same through core v1 and events.k8s.io/v1. (`describe` and `kubectl events`
# print ages from the client's clock, which is not the sandbox's under `sandbox compare`: tests/events.rs
# checks what they print.)
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: "100"
EOF
kubectl run typo --image=ngnix:1.27
sleep 12m
kubectl get events --field-selector involvedObject.name=huge -o wide
kubectl get events.v1.events.k8s.io --field-selector regarding.name=huge
kubectl get events --field-selector involvedObject.name=typo -o wide
kubectl delete pod huge typo
