# kubectl logs through every option the sandbox's kubectl and kubectl 1.33 (through sandbox serve)
# both send: tail, timestamps, since, limit-bytes, the default container, -c, errors, and -f on a
# container that has finished (the stream ends).
kubectl run counter --image=busybox -- sh -c 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: two
spec:
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "echo from a; sleep 3600"]
  - name: b
    image: busybox
    command: ["sh", "-c", "echo from b; sleep 3600"]
EOF
sleep 20s
kubectl logs counter --tail=3
kubectl logs counter --tail=2 --timestamps
kubectl logs two
kubectl logs two -c b
kubectl logs two -c nope
kubectl logs nope
kubectl logs counter --since=3s
kubectl logs counter --limit-bytes=10
kubectl run once --image=busybox --restart=Never -- sh -c 'echo one; echo two'
sleep 20s
kubectl logs -f once
kubectl logs counter --tail=-2
