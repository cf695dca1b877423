# Ingress as kind's guide sets it up: ingress-nginx from the guide's URL (the sandbox has no internet;
# kubectl reads the bundled copy of that manifest), a Service, an Ingress routing a host by path, and
# curl from a pod through the controller's Service: the backend's page, a path whose Service does not
# exist (503), a host no rule matches (the default backend's 404). The controller publishes the
# address `localhost` at its next status sync, and records a Sync event for each change it sees (the
# Ingress's creation, then its status); an Ingress with a bad path type is refused.
kubectl apply -f https://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml
kubectl get ingressclass
kubectl create deployment web --image=nginx
kubectl expose deployment web --port=80
kubectl run client --image=curlimages/curl -- sleep infinity
sleep 60s
kubectl get pods -n ingress-nginx
kubectl get svc -n ingress-nginx
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  ingressClassName: nginx
  rules:
  - host: foo.local
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
      - path: /shop
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 8080
EOF
sleep 5s
kubectl get ing
kubectl exec client -- curl -s -H 'Host: foo.local' http://ingress-nginx-controller.ingress-nginx.svc/
kubectl exec client -- curl -s -i -H 'Host: foo.local' http://ingress-nginx-controller.ingress-nginx.svc/shop/cart
kubectl exec client -- curl -s -i -H 'Host: bar.local' http://ingress-nginx-controller.ingress-nginx.svc/
kubectl exec client -- curl -s -f -H 'Host: foo.local' http://ingress-nginx-controller.ingress-nginx.svc/nope
sleep 60s
kubectl get ing
kubectl describe ing web --show-events=false
kubectl get events --field-selector involvedObject.kind=Ingress -o jsonpath='{range .items[*]}{.reason}: {.message} (from {.source.component}, count {.count}){"\n"}{end}'
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bad
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Regex
        backend:
          service:
            name: web
            port:
              number: 80
EOF
kubectl get ing
