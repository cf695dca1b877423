# The book's chapter 3 flow ("Getting Hands-On with Kubernetes", Big Data on Kubernetes, Packt 2024):
# a namespace, the jokeapi Deployment with 2 replicas, its Service, then the data processing Job.
kubectl create namespace jokes
kubectl apply -f ../../../shared/manifests/book/Chapter03/deployment_api.yaml -n jokes
kubectl apply -f ../../../shared/manifests/book/Chapter03/service_api.yaml -n jokes
sleep 60s
kubectl get deployments -n jokes
kubectl get pods -n jokes
kubectl get svc -n jokes
kubectl apply -f ../../../shared/manifests/book/Chapter03/job.yaml -n jokes
sleep 2m
kubectl get jobs -n jokes
kubectl get pods -n jokes
