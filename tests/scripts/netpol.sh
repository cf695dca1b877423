# NetworkPolicy as kindnet enforces it (kube-network-policies): a Service with a backend, a client
# that reaches it, a default-deny ingress policy that drops the client's connection (a timeout, not
# a refusal), a policy that allows the client's label, then a default-deny egress that breaks DNS
# until DNS and the web pods are allowed again; a policy with bad fields is refused in upstream's words.
kubectl create deployment web --image=nginx
kubectl expose deployment web --port=80
kubectl run client --image=busybox:1.37 --labels=app=client -- sleep infinity
sleep 60s
kubectl get pods -o wide
kubectl exec client -- wget -q -O- -T 5 web
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
  - Ingress
EOF
kubectl get networkpolicy
kubectl describe networkpolicy default-deny-ingress
kubectl exec client -- wget -q -O- -T 5 web
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-allow-client
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: client
    ports:
    - protocol: TCP
      port: 80
EOF
kubectl exec client -- wget -q -O- -T 5 web
kubectl describe networkpolicy web-allow-client
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
spec:
  podSelector: {}
  policyTypes:
  - Egress
EOF
kubectl exec client -- nslookup web
kubectl exec client -- wget -q -O- -T 5 web
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - protocol: UDP
      port: 53
EOF
kubectl exec client -- nslookup web.default.svc.cluster.local
kubectl exec client -- wget -q -O- -T 5 web
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: client-to-web
spec:
  podSelector:
    matchLabels:
      app: client
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: web
    ports:
    - port: 80
EOF
kubectl exec client -- wget -q -O- -T 5 web
kubectl apply -f - <<EOF
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad
spec:
  podSelector: {}
  policyTypes: [Ingress, Sideways]
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/33
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [192.168.0.0/24]
    ports:
    - port: http
      endPort: 90
    - endPort: 90
EOF
kubectl get networkpolicy
