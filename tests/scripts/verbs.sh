# Every verb of the sandbox's kubectl, with the answers kubectl 1.33 gives through `sandbox serve`
# (tests/serve.rs compares the two transcripts; they must be identical). Commands that wait for the
# cluster (rollout status, wait, delete of a namespace) are left out: through `sandbox serve --clock
# manual` nothing moves the clock while real kubectl waits.
kubectl create namespace shop
kubectl create deployment web --image=nginx:1.27 --replicas=2 -n shop
kubectl create configmap settings --from-literal=mode=fast -n shop
kubectl create secret generic creds --from-literal=user=admin -n shop
kubectl create service clusterip web --tcp=80:80 -n shop
kubectl create job once --image=busybox -n shop -- sh -c "echo done"
kubectl create serviceaccount robot -n shop
kubectl run probe --image=busybox -n shop -- sleep 3600
sleep 60s
kubectl get deployments,replicasets -n shop
kubectl get pods -n shop -l app=web
kubectl get svc,cm,secret,sa -n shop
kubectl get jobs -n shop
kubectl get deployment web -n shop -o jsonpath={.spec.replicas}
kubectl get namespace shop
kubectl get nodes
kubectl label deployment web tier=frontend -n shop
kubectl annotate deployment web owner=team-a -n shop
kubectl get deployment web -n shop --show-labels
kubectl scale deployment web --replicas=3 -n shop
sleep 30s
kubectl get deployment web -n shop
kubectl set image deployment/web nginx=nginx:1.28 -n shop
kubectl rollout history deployment/web -n shop
kubectl patch deployment web -n shop -p '{"spec":{"replicas":2}}'
sleep 30s
kubectl get deployment web -n shop
kubectl expose deployment web --name=web-np --type=NodePort --port=80 -n shop
kubectl get svc web-np -n shop -o jsonpath={.spec.type}
kubectl cordon sandbox-worker3
kubectl get node sandbox-worker3
kubectl uncordon sandbox-worker3
kubectl taint nodes sandbox-worker3 dedicated=ml:NoSchedule
kubectl taint nodes sandbox-worker3 dedicated=ml:NoSchedule-
kubectl api-versions
kubectl get pod nope -n shop
kubectl get widgets
kubectl delete job once -n shop
kubectl delete deployment web -n shop
kubectl create configmap settings -n shop --from-literal=mode=a
kubectl create configmap flags -n shop --from-literal=mode=a
kubectl patch configmap flags -n shop --type json -p '[{"op":"replace","path":"/data/mode","value":"b"}]'
kubectl get configmap flags -n shop -o jsonpath='{.data.mode}'
kubectl patch configmap flags -n shop --type json -p '[{"op":"remove","path":"/data/nope"}]'
kubectl patch configmap flags -n shop --type json -p '{"op":"remove","path":"/data/mode"}'
kubectl apply --server-side -f - <<EOT
apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
  namespace: shop
data:
  mode: c
EOT
kubectl api-resources
