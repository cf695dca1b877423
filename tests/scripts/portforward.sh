# kubectl port-forward and the learner's machine's curl: a pod, a Deployment and a Service forwarded,
# connections through them, a port nothing listens on in the pod, and the forwards stopped.
kubectl create deployment web --image=nginx
kubectl expose deployment web --port=8080 --target-port=80
kubectl run lone --image=nginx --port=80
sleep 60s
kubectl port-forward pod/lone 18080:80 &
curl -s localhost:18080
curl -s -o /dev/null -w '%{http_code}\n' http://127.0.0.1:18080/nope
kubectl port-forward deployment/web 18081:80 --address 127.0.0.1 &
curl -si localhost:18081/missing
kubectl port-forward svc/web 18082:8080 &
curl -sI localhost:18082
jobs
kubectl port-forward pod/lone 18080:80
kubectl port-forward pod/lone 18083:81 &
curl -sS localhost:18083
curl -sS localhost:18083
kill %1
kill %9
curl -sS localhost:18080
kubectl port-forward pod/nope 18084:80
kubectl port-forward svc/web 18084:9999
kubectl port-forward pod/lone 18084:http
kill %2
kill %3
jobs
