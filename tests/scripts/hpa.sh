# The HorizontalPodAutoscaler walkthrough (kubernetes.io, "HorizontalPodAutoscaler Walkthrough"):
# php-apache behind a Service, an autoscaler at 50 % CPU, a busybox load generator requesting it in a
# loop, the scale-up while it runs, and the scale-down five minutes (the stabilization window) after
# it stops; then what kubectl refuses.
kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
EOF
kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10
kubectl get hpa
sleep 60s
kubectl get hpa
kubectl top pods
kubectl run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"
kubectl autoscale pod load-generator --max=3
sleep 60s
kubectl get hpa php-apache
sleep 2m
kubectl get hpa php-apache
kubectl get deployment php-apache
kubectl delete pod load-generator
sleep 2m
kubectl get hpa php-apache
sleep 5m
kubectl get hpa php-apache
kubectl get deployment php-apache
kubectl autoscale deployment php-apache --min=5 --max=2
kubectl autoscale deployment nosuch --max=3
