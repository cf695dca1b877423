# kubectl explain with the API documentation, as kubectl 1.33 prints it through `sandbox serve`, whose
# OpenAPI v3 documents carry the same documentation (tests/serve.rs compares the two transcripts; they
# must be identical): every served kind, fields of each shape, --recursive, --api-version, a bad path.
kubectl explain configmaps
kubectl explain endpoints
kubectl explain events
kubectl explain limitranges
kubectl explain namespaces
kubectl explain nodes
kubectl explain persistentvolumes
kubectl explain persistentvolumeclaims
kubectl explain pods
kubectl explain replicationcontrollers
kubectl explain resourcequotas
kubectl explain secrets
kubectl explain services
kubectl explain serviceaccounts
kubectl explain controllerrevisions
kubectl explain daemonsets
kubectl explain deployments
kubectl explain replicasets
kubectl explain statefulsets
kubectl explain horizontalpodautoscalers
kubectl explain cronjobs
kubectl explain jobs
kubectl explain leases
kubectl explain endpointslices
kubectl explain ingresses
kubectl explain ingressclasses
kubectl explain networkpolicies
kubectl explain poddisruptionbudgets
kubectl explain clusterroles
kubectl explain clusterrolebindings
kubectl explain roles
kubectl explain rolebindings
kubectl explain priorityclasses
kubectl explain storageclasses
kubectl explain events --api-version=events.k8s.io/v1
kubectl explain hpa --api-version=autoscaling/v1
kubectl explain pod.spec
kubectl explain pod.spec.containers
kubectl explain pod.spec.containers.resources.limits
kubectl explain pod.metadata.creationTimestamp
kubectl explain deployment.spec.strategy
kubectl explain deployment.spec.strategy --recursive
kubectl explain svc.spec.ports.targetPort
kubectl explain cronjob.spec.jobTemplate.spec.template.spec.containers.env
kubectl explain ingress.spec.rules.http
kubectl explain pod.spec.nope
