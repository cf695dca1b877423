# Data lives in volumes (the docs' "Configure a Pod to Use a PersistentVolume for Storage"): a
# hostPath PersistentVolume and a claim bind; a pod writes a file on the claim and is deleted; the
# next pod on the same node that mounts the claim reads the file.
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
EOF
sleep 5s
kubectl get pv task-pv-volume
kubectl get pvc task-pv-claim
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: task-pv-pod
spec:
  nodeSelector:
    kubernetes.io/hostname: sandbox-worker
  volumes:
    - name: task-pv-storage
      persistentVolumeClaim:
        claimName: task-pv-claim
  containers:
    - name: task-pv-container
      image: nginx
      ports:
        - containerPort: 80
          name: "http-server"
      volumeMounts:
        - mountPath: "/usr/share/nginx/html"
          name: task-pv-storage
EOF
sleep 30s
kubectl get pod task-pv-pod -o wide
kubectl exec task-pv-pod -- sh -c "echo 'Hello from Kubernetes storage' > /usr/share/nginx/html/index.html"
kubectl exec task-pv-pod -- cat /usr/share/nginx/html/index.html
kubectl delete pod task-pv-pod
kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: task-pv-pod
spec:
  nodeSelector:
    kubernetes.io/hostname: sandbox-worker
  volumes:
    - name: task-pv-storage
      persistentVolumeClaim:
        claimName: task-pv-claim
  containers:
    - name: task-pv-container
      image: nginx
      volumeMounts:
        - mountPath: "/usr/share/nginx/html"
          name: task-pv-storage
EOF
sleep 30s
kubectl get pod task-pv-pod -o wide
kubectl exec task-pv-pod -- ls /usr/share/nginx/html
kubectl exec task-pv-pod -- cat /usr/share/nginx/html/index.html
