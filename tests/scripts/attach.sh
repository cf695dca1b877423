# A container's stdin and kubectl attach -i: busybox's sh waits on an open stdin; the attach gives it
# lines through the apiserver, the kubelet and CRI Attach; stdinOnce closes it when the attach ends.
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: shell
spec:
  restartPolicy: Never
  containers:
  - name: shell
    image: busybox
    stdin: true
    stdinOnce: true
    tty: true
---
apiVersion: v1
kind: Pod
metadata:
  name: keeper
spec:
  containers:
  - name: keeper
    image: busybox
    stdin: true
EOF
sleep 30s
kubectl get pods
kubectl attach -i shell <<EOF
echo hello
touch /tmp/a
ls /tmp
EOF
sleep 2s
kubectl get pods
kubectl attach -i shell <<EOF
echo again
EOF
kubectl exec -i keeper -- sh <<EOF
echo via exec
exit 3
EOF
kubectl attach -i keeper -c nope <<EOF
echo x
EOF
kubectl attach -i nope <<EOF
echo x
EOF
kubectl attach -i keeper -q <<EOF
echo bye
exit 4
EOF
sleep 2s
kubectl get pod keeper
kubectl get pod keeper -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}'
