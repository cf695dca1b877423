# kubectl's waiting commands, as kubectl 1.33 sends them (tests/serve.rs compares this transcript with
# real kubectl through `sandbox serve --clock manual`): wait, rollout status, cordon, drain. Through a
# manual clock nothing moves while real kubectl waits, so each wait here is for something already so
# (after a sleep), for something that can never be (`--timeout=0` checks once), or for a pod the
# kubelet stops within the requests' own round trips (drain's eviction).
kubectl create deployment web --image=nginx:1.27 --replicas=3
kubectl run solo --image=busybox -- sleep 3600
kubectl apply -f - <<EOT
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 3
  selector:
    matchLabels:
      app: web
EOT
sleep 60s
kubectl wait --for=condition=Available deployment/web
kubectl wait --for=condition=Ready pod -l app=web
kubectl wait --for=jsonpath={.status.phase}=Running pod/solo
kubectl wait --for=jsonpath={.status.readyReplicas}=3 deployment/web
kubectl wait --for=jsonpath=.status.availableReplicas deployment/web
kubectl wait --for=condition=Available=False deployment/web --timeout=0
kubectl wait --for=delete pod/solo --timeout=0
kubectl wait --for=condition=Ready pod/nope
kubectl wait --for=delete pod/nope
kubectl wait --for=bogus pod/solo
kubectl wait --for=jsonpath={.status.phase}= pod/solo
kubectl wait --for=condition=Ready pod -l app=nothing
kubectl rollout status deployment/web
kubectl rollout status deployment/web --watch=false
kubectl rollout status deployment/nope
kubectl get pods -o wide
kubectl cordon sandbox-worker
kubectl cordon sandbox-worker
kubectl drain sandbox-worker --ignore-daemonsets --timeout=1s
kubectl delete poddisruptionbudget web
kubectl drain sandbox-worker --ignore-daemonsets
kubectl get node sandbox-worker -o jsonpath={.spec.unschedulable}
kubectl uncordon sandbox-worker
