# Bad input: each line answers in kubectl 1.33's words and changes nothing. `sandbox compare`
# runs this script through the real binary too, so every message here is checked against it.
kubectl create deployment web --image=nginx --replicas=-1
kubectl create deployment web --image=nginx --replicas=abc
kubectl create deployment web --image=nginx --replicas=3000000000
kubectl create deployment web --image=nginx --port=x
kubectl create deployment --image=nginx
kubectl create deployment web --image=nginx --replicas=2
kubectl scale deployment nosuch --replicas=2
kubectl scale deployment web nosuch --replicas=3
kubectl scale deployment web --replicas=x
kubectl scale deployment web --replicas=99999999999999999999
kubectl scale deployment web --replicas=-1
kubectl scale deployment web --replicas=2 --current-replicas=5
kubectl scale deployment web --replicas=2 --current-replicas=-3
kubectl run x --image=nginx --port=abc
kubectl run x --image=nginx --restart=Sometimes
kubectl run x --image=nginx --labels=foo
kubectl run x --image=nginx --labels=a=b,c
kubectl run x --image=nginx --labels==b
kubectl run x --image=nginx --env=FOO
kubectl run x --image=nginx --env=1A=b
kubectl run x --image=nginx -r 3
kubectl expose deployment nosuch --port=80
kubectl get pods -o jsonpath='{.items[0'
kubectl get pods -l 'a in (b'
kubectl get pods --field-selector=status.phase
kubectl get pods --watch=maybe
kubectl get pods -w --timeout=x
kubectl label pod nosuch a=b
kubectl delete pod
kubectl delete pod x --grace-period=x
kubectl get nosuchkind
kubectl logs
kubectl logs x --tail=abc
kubectl exec nosuch -- ls
kubectl create namespace BAD_NAME
kubectl create configmap c --from-literal=a
kubectl create secret generic s --from-literal==x
kubectl create service clusterip s1 --tcp=abc
kubectl create service clusterip s1 --tcp=70000
kubectl create service clusterip s1 --tcp=80:0
kubectl create service nodeport s1 --tcp=80 --node-port=x
kubectl rollout undo deployment/nosuch
kubectl rollout undo deployment/web --to-revision=x
kubectl set image deployment/nosuch a=b
kubectl taint nodes sandbox-worker foo
kubectl cordon nosuch
kubectl autoscale deployment nosuch --max=0
kubectl autoscale deployment web --max=x
kubectl patch pod nosuch -p 'a: ['
kubectl config use-context nosuch
kubectl wait --for=condition=Ready pod/nosuch --timeout=1s
# Nothing above changed the cluster: the one deployment and its pods.
sleep 30s
kubectl get deployments,replicasets
kubectl get pods --sort-by=.metadata.name -o name
kubectl get pods --sort-by=.metadata.nope
kubectl get deploy,pods --sort-by=.metadata.name
