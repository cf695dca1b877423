//! The expectations: for every file of the corpus, what a reader had done before (`before`, a runner
//! script), and what a real cluster does with `kubectl apply -f FILE [-n NS]`. The reference is a kind
//! cluster of Kubernetes 1.33 (one control-plane node, three workers, the `standard` StorageClass).
//! A comment says why wherever the outcome is not simply "created" or "Running".

use k8s_sandbox::sim::world::World;

use super::checks::{self, Pods};

/// A check of the cluster after the wait: `Err` says what differs from a real cluster.
pub type ClusterCheck = Box<dyn Fn(&mut World) -> Result<(), String> + Send + Sync>;

/// What the apply prints and what the cluster then shows.
pub enum Expect {
    /// Every document is created; nothing to run (configuration, Services, policies...).
    Created,
    /// kubectl refuses the kind: a CRD that is not installed, or an API version the server does not
    /// serve. The whole stderr must be kubectl's own two lines.
    NoKind { name: &'static str, namespace: &'static str, kind: &'static str, version: &'static str },
    /// kubectl or the apiserver refuses the file; stderr contains this text.
    Refused(&'static str),
    /// Every document is created, and after the wait the pods look like this.
    Pods(Pods),
    /// Every document is created, and after the wait this check passes.
    Check(ClusterCheck),
}

/// One file of the corpus in one situation.
pub struct Row {
    pub path: &'static str,
    /// Which situation, when a file has more than one row ("as the docs run it", "without ...").
    pub variant: &'static str,
    /// What the reader ran before, as a runner script (paths relative to the corpus folder).
    pub before: &'static str,
    /// The book's `-n NAMESPACE` on the apply.
    pub ns: Option<&'static str>,
    pub expect: Expect,
    /// Virtual time to run after the apply, when three minutes are not the right moment to look.
    pub wait_ms: Option<u64>,
    /// Where the sandbox still disagrees with a real cluster, and why.
    pub known_gap: Option<&'static str>,
}

fn row(path: &'static str, expect: Expect) -> Row {
    Row { path, variant: "as is", before: "", ns: None, expect, wait_ms: None, known_gap: None }
}

impl Row {
    fn before(self, before: &'static str) -> Self {
        Row { before, variant: if self.variant == "as is" { "as the docs run it" } else { self.variant }, ..self }
    }
    fn ns(self, ns: &'static str) -> Self {
        Row { ns: Some(ns), ..self }
    }
    fn variant(self, variant: &'static str) -> Self {
        Row { variant, ..self }
    }
    fn wait(self, ms: u64) -> Self {
        Row { wait_ms: Some(ms), ..self }
    }
    // No row disagrees with a real cluster today; the mark stays for the next gap found.
    #[allow(dead_code)]
    fn gap(self, why: &'static str) -> Self {
        Row { known_gap: Some(why), ..self }
    }
}

fn pods(ns: &'static str, prefix: &'static str, count: usize, status: &'static [&'static str]) -> Expect {
    Expect::Pods(Pods { ns, prefix, count, status, why: None })
}

fn running(prefix: &'static str, count: usize) -> Expect {
    pods("default", prefix, count, &["Running"])
}

fn completed(prefix: &'static str, count: usize) -> Expect {
    pods("default", prefix, count, &["Completed"])
}

/// Pending, with the scheduler's reason in `describe`.
fn pending(ns: &'static str, prefix: &'static str, why: &'static str) -> Expect {
    Expect::Pods(Pods { ns, prefix, count: 1, status: &["Pending"], why: Some(why) })
}

fn no_kind(name: &'static str, namespace: &'static str, kind: &'static str, version: &'static str) -> Expect {
    Expect::NoKind { name, namespace, kind, version }
}

fn check(f: impl Fn(&mut World) -> Result<(), String> + Send + Sync + 'static) -> Expect {
    Expect::Check(Box::new(f))
}

const CRD: &str = "a CustomResourceDefinition that is not installed";
const NODE_AFFINITY: &str = "didn't match Pod's node affinity/selector";

/// The book's chapter 11 apps read these; its scripts create them with `kubectl create` before the apply.
const GENAI: &str = "kubectl create namespace genai
kubectl create secret generic aws-credentials --from-literal=aws_access_key_id=AKIAEXAMPLE --from-literal=aws_secret_access_key=example -n genai
kubectl create configmap kb-config --from-literal=kb_id=KBEXAMPLE -n genai
kubectl create configmap agent-config --from-literal=agent_alias_id=ALIAS --from-literal=agent_id=AGENT -n genai
";

/// "Connecting Applications with Services" creates these from local files (`create secret tls` with an
/// openssl certificate, `create configmap --from-file`) before its Deployments; here they come from a
/// heredoc (the sandbox's nginx does not read the certificate, a reader's is a real one).
const NGINX_SECRET: &str = "kubectl apply -f - <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: nginxsecret
type: kubernetes.io/tls
data:
  tls.crt: Y2VydA==
  tls.key: a2V5
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: nginxconfigmap
data:
  default.conf: |
    server { listen 80; listen 443 ssl; }
EOF
";

pub fn table() -> Vec<Row> {
    let mut t = book();
    t.extend(website_admin_and_apps());
    t.extend(website_pods());
    t.extend(website_rest());
    t
}

fn book() -> Vec<Row> {
    vec![
        row("book/Chapter03/deployment_api.yaml", pods("jokeapi", "jokeapi-", 2, &["Running"]))
            .before("kubectl create namespace jokeapi")
            .ns("jokeapi"),
        row("book/Chapter03/ingress.yaml", Expect::Created).before("kubectl create namespace jokeapi").ns("jokeapi"),
        row("book/Chapter03/job.yaml", pods("datajob", "dataprocessingjob-", 1, &["Completed"]))
            .before("kubectl create namespace datajob")
            .ns("datajob"),
        row("book/Chapter03/lb_api.yaml", Expect::Created).before("kubectl create namespace jokeapi").ns("jokeapi"),
        row("book/Chapter03/service_api.yaml", Expect::Created)
            .before("kubectl create namespace jokeapi")
            .ns("jokeapi"),
        // Strimzi, Spark-operator and ECK kinds exist only once their operators' CRDs are installed;
        // the namespace in kubectl's message is the object's own, never the one given with -n.
        row("book/Chapter08/kafka/kafka_jbod.yaml", no_kind("kafka-cluster", "", "Kafka", "kafka.strimzi.io/v1beta2"))
            .before("kubectl create namespace kafka")
            .ns("kafka"),
        row(
            "book/Chapter08/spark/spark_job.yaml",
            no_kind("test-spark-job", "spark-operator", "SparkApplication", "sparkoperator.k8s.io/v1beta2"),
        )
        .before("kubectl create namespace spark-operator")
        .ns("spark-operator"),
        row(
            "book/Chapter09/elasticsearch/elastic_cluster.yaml",
            no_kind("elastic", "", "Elasticsearch", "elasticsearch.k8s.elastic.co/v1"),
        )
        .before("kubectl create namespace elastic")
        .ns("elastic"),
        row("book/Chapter09/elasticsearch/kibana.yaml", no_kind("kibana", "", "Kibana", "kibana.k8s.elastic.co/v1"))
            .before("kubectl create namespace elastic")
            .ns("elastic"),
        // Cluster-scoped RBAC objects: `-n airflow` does not apply to them.
        row("book/Chapter10/airflow_deployment/rolebinding_for_airflow.yaml", Expect::Created)
            .before("kubectl create namespace airflow")
            .ns("airflow"),
        // Airflow DAG templates: applied as they are, the Jinja stays in the name; the kind is unknown first.
        row(
            "book/Chapter10/batch/dags/spark_imdb_consolidated_table.yaml",
            no_kind(
                "imdb-consolidated-table-{{ macros.datetime.now().strftime('%Y-%m-%d-%H-%M-%S') }}",
                "airflow",
                "SparkApplication",
                "sparkoperator.k8s.io/v1beta2",
            ),
        )
        .before("kubectl create namespace airflow")
        .ns("airflow"),
        row(
            "book/Chapter10/batch/dags/spark_imdb_tsv_parquet.yam",
            no_kind(
                "imdb-tsv-parquet-{{ macros.datetime.now().strftime('%Y-%m-%d-%H-%M-%S') }}",
                "airflow",
                "SparkApplication",
                "sparkoperator.k8s.io/v1beta2",
            ),
        )
        .before("kubectl create namespace airflow")
        .ns("airflow"),
        row("book/Chapter10/batch/rolebinding_for_airflow.yaml", Expect::Created)
            .before("kubectl create namespace airflow")
            .ns("airflow"),
        row(
            "book/Chapter10/streaming/connect_cluster.yaml",
            no_kind("kafka-connect-cluster", "", "KafkaConnect", "kafka.strimzi.io/v1beta2"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row(
            "book/Chapter10/streaming/connectors/es_sink.ya",
            no_kind("es-sink", "kafka", "KafkaConnector", "kafka.strimzi.io/v1beta2"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row(
            "book/Chapter10/streaming/connectors/jdbc_source.yam",
            no_kind("jdbc-source", "kafka", "KafkaConnector", "kafka.strimzi.io/v1beta2"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row(
            "book/Chapter10/streaming/elastic_deployment/elastic_cluster.yaml",
            no_kind("elastic", "", "Elasticsearch", "elasticsearch.k8s.elastic.co/v1"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row(
            "book/Chapter10/streaming/elastic_deployment/kibana.yaml",
            no_kind("kibana", "", "Kibana", "kibana.k8s.elastic.co/v1"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row(
            "book/Chapter10/streaming/spark_streaming_job.yaml",
            no_kind("spark-streaming-job", "kafka", "SparkApplication", "sparkoperator.k8s.io/v1beta2"),
        )
        .before("kubectl create namespace kafka")
        .ns("kafka"),
        row("book/Chapter11/agent/deploy_agent.yaml", pods("genai", "agent-", 1, &["Running"]))
            .before(GENAI)
            .ns("genai"),
        // Without the Secret and ConfigMaps the env references cannot be resolved: the kubelet does not
        // create the container and reports CreateContainerConfigError.
        row("book/Chapter11/agent/deploy_agent.yaml", pods("genai", "agent-", 1, &["CreateContainerConfigError"]))
            .variant("without the Secret and ConfigMaps")
            .before("kubectl create namespace genai")
            .ns("genai"),
        row("book/Chapter11/claude-kb/deploy_claude_kb.yaml", pods("genai", "rag-with-claude-", 1, &["Running"]))
            .before(GENAI)
            .ns("genai"),
        row(
            "book/Chapter11/streamlit-claude/deploy_chat_with_claude.yam",
            pods("genai", "chat-with-claude-", 1, &["Running"]),
        )
        .before(GENAI)
        .ns("genai"),
    ]
    .into_iter()
    .map(|r| if matches!(r.expect, Expect::NoKind { .. }) { r.variant(CRD) } else { r })
    .collect()
}

fn website_admin_and_apps() -> Vec<Row> {
    vec![
        // The DaemonSet selects `node-role.kubernetes.io/master`, a label kubeadm no longer sets (1.24+).
        row("k8s-website/admin/cloud/ccm-example.yaml", pods("kube-system", "cloud-controller-manager", 0, &[])),
        row("k8s-website/admin/dns/dns-horizontal-autoscaler.yaml", pods("kube-system", "kube-dns-autoscaler-", 1, &["Running"])),
        row("k8s-website/admin/logging/two-files-counter-pod-streaming-sidecar.yaml", running("counter", 1)),
        row("k8s-website/admin/namespace-dev.yaml", Expect::Created),
        // LimitRanger: the 1.5 CPU limit is above the LimitRange's max of 800m, so the pod is forbidden.
        row("k8s-website/admin/resource/cpu-constraints-pod-2.yaml", Expect::Refused("pods \"constraints-cpu-demo-2\" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m"))
            .before("kubectl create namespace constraints-cpu-example\nkubectl apply -f k8s-website/admin/resource/cpu-constraints.yaml -n constraints-cpu-example")
            .ns("constraints-cpu-example"),
        row("k8s-website/admin/resource/cpu-constraints.yaml", Expect::Created),
        row("k8s-website/admin/resource/memory-defaults-pod.yaml", check(checks::limit_range_defaults))
            .before("kubectl create namespace default-mem-example\nkubectl apply -f k8s-website/admin/resource/memory-defaults.yaml -n default-mem-example")
            .ns("default-mem-example"),
        row("k8s-website/admin/resource/memory-defaults.yaml", Expect::Created),
        // The first pod of the page requests 600Mi of the quota's 1Gi; 700Mi more would exceed it.
        row(
            "k8s-website/admin/resource/quota-mem-cpu-pod-2.yaml",
            Expect::Refused("pods \"quota-mem-cpu-demo-2\" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi"),
        )
        .before(
            "kubectl create namespace quota-mem-cpu-example
kubectl apply -f k8s-website/admin/resource/quota-mem-cpu.yaml -n quota-mem-cpu-example
sleep 10s
kubectl apply -n quota-mem-cpu-example -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: quota-mem-cpu-demo
spec:
  containers:
  - name: quota-mem-cpu-demo-ctr
    image: nginx
    resources:
      limits:
        memory: 800Mi
        cpu: 800m
      requests:
        memory: 600Mi
        cpu: 400m
EOF
sleep 10s",
        )
        .ns("quota-mem-cpu-example"),
        row("k8s-website/admin/resource/quota-mem-cpu.yaml", Expect::Created),
        row("k8s-website/admin/resource/quota-objects.yaml", Expect::Created),
        row("k8s-website/admin/resource/quota-pod-deployment.yaml", check(checks::quota_caps_replicas))
            .before("kubectl create namespace quota-pod-example\nkubectl apply -f k8s-website/admin/resource/quota-pod.yaml -n quota-pod-example\nsleep 10s")
            .ns("quota-pod-example"),
        row("k8s-website/admin/resource/quota-pod.yaml", Expect::Created),
        row("k8s-website/admin/resource/storagelimits.yaml", Expect::Created),
        // The page's own image (gcr.io/my-gcp-project/my-kube-scheduler:1.0) is a placeholder to build
        // and push first; as it is, the pull fails.
        row("k8s-website/admin/sched/my-scheduler.yaml", pods("kube-system", "my-scheduler-", 1, &["ErrImagePull", "ImagePullBackOff"])),
        // No scheduler named my-scheduler runs, so nothing binds the pod and it has no events.
        row("k8s-website/admin/sched/pod3.yaml", pods("default", "annotation-second-scheduler", 1, &["Pending"])),
        row("k8s-website/application/cassandra/cassandra-service.yaml", Expect::Created),
        // On kind the StorageClass `fast` names the provisioner k8s.io/minikube-hostpath, which does not
        // run there: cassandra-0's claim never binds and the pod waits (OrderedReady: no cassandra-1).
        row("k8s-website/application/cassandra/cassandra-statefulset.yaml", pending("default", "cassandra-", "pod has unbound immediate PersistentVolumeClaims"))
            .before("kubectl apply -f k8s-website/application/cassandra/cassandra-service.yaml"),
        row("k8s-website/application/deployment-patch.yaml", running("patch-demo-", 2)),
        row("k8s-website/application/deployment-sidecar.yaml", running("myapp-", 1)),
        row("k8s-website/application/deployment-update.yaml", running("nginx-deployment-", 2)),
        row("k8s-website/application/deployment.yaml", running("nginx-deployment-", 2)),
        row("k8s-website/application/guestbook/frontend-deployment.yaml", running("frontend-", 3)),
        row("k8s-website/application/guestbook/frontend-service.yaml", Expect::Created),
        row("k8s-website/application/guestbook/redis-leader-deployment.yaml", running("redis-leader-", 1)),
        row("k8s-website/application/guestbook/redis-leader-service.yaml", Expect::Created),
        row("k8s-website/application/hpa/php-apache.yaml", Expect::Created),
        row("k8s-website/application/job/cronjob.yaml", check(checks::cron_runs_every_minute)),
        row("k8s-website/application/job/indexed-job-vol.yaml", completed("indexed-job-", 5)),
        // Each init container picks its word with $JOB_COMPLETION_INDEX, which Indexed Jobs set.
        // The init container's write to the emptyDir is what the worker reads (and reverses).
        row("k8s-website/application/job/indexed-job.yaml", check(checks::indexed_words)),
        // The sidecar (an init container with restartPolicy Always) is stopped once the main container
        // completes; the pod Succeeds and prints Completed.
        row("k8s-website/application/job/job-sidecar.yaml", completed("myjob-", 1)),
        // A template for `sed`: `$ITEM` is not valid in a name or a label value.
        row("k8s-website/application/job/job-tmpl.yaml", Expect::Refused("The Job \"process-item-$ITEM\" is invalid: \n* metadata.name: Invalid value: \"process-item-$ITEM\"")),
        row("k8s-website/application/mysql/mysql-configmap.yaml", Expect::Created),
        row("k8s-website/application/mysql/mysql-deployment.yaml", running("mysql-", 1)).before("kubectl apply -f k8s-website/application/mysql/mysql-pv.yaml"),
        row("k8s-website/application/mysql/mysql-pv.yaml", check(checks::claim_bound("mysql-pv-claim", "mysql-pv-volume"))),
        row("k8s-website/application/mysql/mysql-services.yaml", Expect::Created),
        row("k8s-website/application/mysql/mysql-statefulset.yaml", check(checks::mysql_primary_runs))
            .before("kubectl apply -f k8s-website/application/mysql/mysql-configmap.yaml\nkubectl apply -f k8s-website/application/mysql/mysql-services.yaml"),
        row("k8s-website/application/nginx-app.yaml", running("my-nginx-", 3)),
        row("k8s-website/application/php-apache.yaml", running("php-apache-", 1)),
        row("k8s-website/application/shell-demo.yaml", running("shell-demo", 1)),
        row("k8s-website/application/web/web.yaml", running("web-", 2)),
        row("k8s-website/application/wordpress/mysql-deployment.yaml", running("wordpress-mysql-", 1))
            .before("kubectl create secret generic mysql-pass --from-literal=password=YOUR_PASSWORD"),
        // `wordpress-` also matches the wordpress-mysql pod of the page's first step.
        row("k8s-website/application/wordpress/wordpress-deployment.yaml", running("wordpress-", 2)).before(
            "kubectl create secret generic mysql-pass --from-literal=password=YOUR_PASSWORD\nkubectl apply -f k8s-website/application/wordpress/mysql-deployment.yaml",
        ),
        // Required anti-affinity on the hostname puts the three members on the three workers.
        row("k8s-website/application/zookeeper/zookeeper.yaml", running("zk-", 3)),
    ]
}

fn website_pods() -> Vec<Row> {
    let qos = "kubectl create namespace qos-example";
    let mem = "kubectl create namespace mem-example";
    let multikeys = "kubectl apply -f k8s-website/configmap/configmap-multikeys.yaml";
    vec![
        // audit.k8s.io/v1 Policy and kind's Cluster are configuration files for the apiserver and for
        // kind, not API objects: kubectl finds no such kind on the server.
        row("k8s-website/audit/audit-policy.yaml", no_kind("", "", "Policy", "audit.k8s.io/v1")).variant("not an API object"),
        row("k8s-website/pods/security/seccomp/kind.yaml", no_kind("", "", "Cluster", "kind.x-k8s.io/v1alpha4")).variant("not an API object"),
        // LimitRange defaults the CPU limit to 500m, below the pod's 700m request: validation refuses it.
        row(
            "k8s-website/concepts/policy/limit-range/example-conflict-with-limitrange-cpu.yaml",
            Expect::Refused("spec.containers[0].resources.requests: Invalid value: \"700m\": must be less than or equal to cpu limit of 500m"),
        )
        .before("kubectl apply -f k8s-website/concepts/policy/limit-range/problematic-limit-range.yaml"),
        row("k8s-website/concepts/policy/limit-range/problematic-limit-range.yaml", Expect::Created),
        row("k8s-website/configmap/configmap-multikeys.yaml", Expect::Created),
        row("k8s-website/configmap/configmaps.yaml", Expect::Created),
        // The ConfigMap page defines game-demo just above this pod.
        row("k8s-website/configmap/configure-pod.yaml", running("configmap-demo-pod", 1)).before(
            "kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
data:
  player_initial_lives: \"3\"
  ui_properties_file_name: user-interface.properties
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
  user-interface.properties: |
    color.good=purple
    color.bad=yellow
    allow.textmode=true
EOF",
        ),
        // Without game-demo the configMap volume cannot be set up: the pod stays ContainerCreating.
        row("k8s-website/configmap/configure-pod.yaml", pods("default", "configmap-demo-pod", 1, &["ContainerCreating"])).variant("without the ConfigMap"),
        row("k8s-website/pods/commands.yaml", completed("command-demo", 1)),
        row("k8s-website/pods/config/example-redis-config.yaml", Expect::Created),
        row("k8s-website/pods/config/redis-pod.yaml", running("redis", 1)).before("kubectl apply -f k8s-website/pods/config/example-redis-config.yaml"),
        row("k8s-website/pods/config/redis-pod.yaml", pods("default", "redis", 1, &["ContainerCreating"])).variant("without the ConfigMap"),
        row("k8s-website/pods/init-containers.yaml", running("init-demo", 1)),
        row("k8s-website/pods/inject/dapi-volume.yaml", running("kubernetes-downwardapi-volume-example", 1)),
        row("k8s-website/pods/inject/secret-pod.yaml", running("secret-test-pod", 1)).before("kubectl apply -f k8s-website/pods/inject/secret.yaml"),
        row("k8s-website/pods/inject/secret.yaml", Expect::Created),
        row("k8s-website/pods/lifecycle-events.yaml", running("lifecycle-demo", 1)),
        // `env` and `ls` print and exit; restartPolicy Never.
        row("k8s-website/pods/pod-configmap-envFrom.yaml", completed("dapi-test-pod", 1)).before(multikeys),
        row("k8s-website/pods/pod-configmap-envFrom.yaml", pods("default", "dapi-test-pod", 1, &["CreateContainerConfigError"])).variant("without the ConfigMap"),
        row("k8s-website/pods/pod-configmap-volume.yaml", completed("dapi-test-pod", 1)).before(multikeys),
        // "Assign Pods to Nodes" labels a node disktype=ssd first; without it nothing matches.
        row("k8s-website/pods/pod-nginx-required-affinity.yaml", running("nginx", 1)).before("kubectl label nodes sandbox-worker disktype=ssd"),
        row("k8s-website/pods/pod-nginx.yaml", running("nginx", 1))
            .before("kubectl label nodes sandbox-worker disktype=ssd"),
        row("k8s-website/pods/pod-nginx.yaml", pending("default", "nginx", NODE_AFFINITY)).variant("without the node label"),
        row("k8s-website/pods/pod-nginx-specific-node.yaml", check(checks::orphan_is_collected)),
        // The page creates the build-robot ServiceAccount first; without it the ServiceAccount admission
        // plugin refuses the pod.
        row("k8s-website/pods/pod-projected-svc-token.yaml", running("nginx", 1)).before("kubectl create serviceaccount build-robot"),
        row("k8s-website/pods/pod-projected-svc-token.yaml", Expect::Refused("error looking up service account default/build-robot: serviceaccount \"build-robot\" not found"))
            .variant("without the ServiceAccount"),
        row("k8s-website/pods/pod-rs.yaml", running("pod", 2)),
        row("k8s-website/pods/pod-with-affinity-anti-affinity.yaml", running("with-affinity-anti-affinity", 1)),
        // kind nodes carry no topology.kubernetes.io/zone label.
        row("k8s-website/pods/pod-with-node-affinity.yaml", pending("default", "with-node-affinity", NODE_AFFINITY)),
        // No pod labelled security=S1 runs anywhere, so the required pod affinity cannot be met.
        row("k8s-website/pods/pod-with-pod-affinity.yaml", pending("default", "with-pod-affinity", "didn't match pod affinity rules")),
        // The apiserver marks a gated pod PodScheduled=False/SchedulingGated; kubectl prints that reason.
        row("k8s-website/pods/pod-with-scheduling-gates.yaml", pods("default", "test-pod", 1, &["SchedulingGated"])),
        row("k8s-website/pods/pod-with-toleration.yaml", running("nginx", 1)),
        // `<your-private-image>` is a placeholder, not an image reference.
        row("k8s-website/pods/private-reg-pod.yaml", pods("default", "private-reg", 1, &["InvalidImageName"])),
        // The probe's file is removed after 30 s, the server answers 500 after 10 s: both containers are
        // killed and restarted again and again (Running between restarts, CrashLoopBackOff during back-off).
        row("k8s-website/pods/probe/exec-liveness.yaml", pods("default", "liveness-exec", 1, &["Running", "CrashLoopBackOff"])),
        row("k8s-website/pods/probe/grpc-liveness.yaml", running("etcd-with-grpc", 1)),
        row("k8s-website/pods/probe/http-liveness.yaml", pods("default", "liveness-http", 1, &["Running", "CrashLoopBackOff"])),
        row("k8s-website/pods/probe/tcp-liveness-readiness.yaml", running("goproxy", 1)),
        row("k8s-website/pods/qos/qos-pod-2.yaml", pods("qos-example", "qos-demo-2", 1, &["Running"])).before(qos),
        row("k8s-website/pods/qos/qos-pod-3.yaml", pods("qos-example", "qos-demo-3", 1, &["Running"])).before(qos),
        row("k8s-website/pods/qos/qos-pod.yaml", pods("qos-example", "qos-demo", 1, &["Running"])).before(qos),
        // No node advertises example.com/dongle until the page's PATCH of the node status.
        row("k8s-website/pods/resource/extended-resource-pod.yaml", pending("default", "extended-resource-demo", "Insufficient example.com/dongle")),
        row("k8s-website/pods/resource/memory-request-limit-2.yaml", check(checks::oom_killed)).before(mem),
        // 1000Gi is more memory than any node has.
        row("k8s-website/pods/resource/memory-request-limit-3.yaml", pending("mem-example", "memory-demo-3", "Insufficient memory")).before(mem),
        row("k8s-website/pods/resource/memory-request-limit.yaml", pods("mem-example", "memory-demo", 1, &["Running"])).before(mem),
        // The AppArmor and seccomp tutorials first load their profiles onto every node (ssh, or kind's
        // extraMounts); the sandbox's nodes are taken to have them, as the reader's would.
        row("k8s-website/pods/security/hello-apparmor.yaml", running("hello-apparmor", 1)),
        row("k8s-website/pods/security/seccomp/ga/fine-pod.yaml", running("fine-pod", 1)),
        row("k8s-website/pods/security/security-context.yaml", running("security-context-demo", 1)),
        row("k8s-website/pods/share-process-namespace.yaml", running("nginx", 1)),
        row("k8s-website/pods/simple-pod.yaml", running("nginx", 1)),
        row("k8s-website/pods/storage/pv-claim.yaml", check(checks::claim_bound("task-pv-claim", "task-pv-volume")))
            .before("kubectl apply -f k8s-website/pods/storage/pv-volume.yaml"),
        row("k8s-website/pods/storage/pv-pod.yaml", running("task-pv-pod", 1))
            .before("kubectl apply -f k8s-website/pods/storage/pv-volume.yaml\nkubectl apply -f k8s-website/pods/storage/pv-claim.yaml"),
        row("k8s-website/pods/storage/pv-pod.yaml", pending("default", "task-pv-pod", "persistentvolumeclaim \"task-pv-claim\" not found"))
            .variant("without the claim"),
        row("k8s-website/pods/storage/pv-volume.yaml", Expect::Created),
        row("k8s-website/pods/storage/redis.yaml", running("redis", 1)),
        // DoNotSchedule spreading over topology.kubernetes.io/zone, a label kind nodes do not have.
        row("k8s-website/pods/topology-spread-constraints/one-constraint-with-nodeaffinity.yaml", pending("default", "mypod", "didn't match pod topology spread constraints")),
        row("k8s-website/pods/topology-spread-constraints/one-constraint.yaml", pending("default", "mypod", "didn't match pod topology spread constraints")),
        row("k8s-website/pods/topology-spread-constraints/two-constraints.yaml", pending("default", "mypod", "didn't match pod topology spread constraints")),
        // The debian container writes a file and exits (restartPolicy Never) while nginx keeps running.
        row("k8s-website/pods/two-container-pod.yaml", pods("default", "two-containers", 1, &["NotReady"])),
    ]
}

fn website_rest() -> Vec<Row> {
    vec![
        row("k8s-website/controllers/daemonset-label-selector.yaml", running("ssd-driver", 0)),
        // Tolerates the control-plane taint: one pod on each of the four nodes.
        row("k8s-website/controllers/daemonset.yaml", pods("kube-system", "fluentd-elasticsearch-", 4, &["Running"])),
        row("k8s-website/controllers/frontend.yaml", running("frontend-", 3)),
        row("k8s-website/controllers/hpa-rs.yaml", Expect::Created),
        row("k8s-website/controllers/job-backoff-limit-per-index-example.yaml", check(checks::failed_indexes))
            .wait(10 * 60 * 1000),
        row("k8s-website/controllers/job-pod-failure-policy-example.yaml", check(checks::failed_by_pod_failure_policy)),
        row("k8s-website/controllers/job.yaml", completed("pi-", 1)),
        row("k8s-website/controllers/nginx-deployment.yaml", running("nginx-deployment-", 3)),
        row("k8s-website/controllers/replicaset.yaml", running("my-repset-", 3)),
        // v1 ReplicationController is still served in 1.33 and its controller still runs.
        row("k8s-website/controllers/replication.yaml", running("nginx-", 3)),
        row("k8s-website/debug/event-exporter.yaml", running("event-exporter-v0.2.3-", 1)),
        // Selects nodes labelled beta.kubernetes.io/fluentd-ds-ready=true: there are none.
        row("k8s-website/debug/fluentd-gcp-ds.yaml", running("fluentd-gcp-v2.0", 0)),
        row("k8s-website/policy/priority-class-resourcequota.yaml", Expect::Created),
        // PodSecurityPolicy was removed in 1.25, FlowSchema v1beta3 in 1.32, and ValidatingAdmissionPolicy
        // v1beta1 is not served unless enabled; `failure-policy-ignore.yaml` is a fragment whose `...`
        // ends the YAML document after `spec:`, so kubectl reads only its apiVersion and kind.
        row("k8s-website/policy/restricted-psp.yaml", no_kind("restricted", "", "PodSecurityPolicy", "policy/v1beta1")).variant("removed API version"),
        row("k8s-website/policy/zookeeper-pod-disruption-budget-minavailable.yaml", Expect::Created),
        row("k8s-website/priority-and-fairness/health-for-strangers.yaml", no_kind("health-for-strangers", "", "FlowSchema", "flowcontrol.apiserver.k8s.io/v1beta3")).variant("removed API version"),
        row("k8s-website/secret/serviceaccount/mysecretname.yaml", Expect::Created),
        row("k8s-website/security/podsecurity-restricted.yaml", Expect::Created),
        row("k8s-website/service/access/backend-deployment.yaml", running("backend-", 3)),
        row("k8s-website/service/access/backend-service.yaml", Expect::Created),
        // The tutorial starts the backend and its `hello` Service first: the frontend's nginx resolves
        // its upstream `hello` when it starts.
        row("k8s-website/service/access/frontend-deployment.yaml", running("frontend-", 1))
            .before("kubectl apply -f k8s-website/service/access/backend-deployment.yaml\nkubectl apply -f k8s-website/service/access/backend-service.yaml"),
        row("k8s-website/service/access/frontend-service.yaml", Expect::Created),
        row("k8s-website/service/load-balancer-example.yaml", running("hello-world-", 5)),
        row("k8s-website/service/networking/curlpod.yaml", running("curl-deployment-", 1)).before(NGINX_SECRET),
        row("k8s-website/service/networking/custom-dns.yaml", running("dns-example", 1)),
        row("k8s-website/service/networking/default-ingressclass.yaml", Expect::Created),
        row("k8s-website/service/networking/dual-stack-default-svc.yaml", Expect::Created),
        row("k8s-website/service/networking/example-ingress.yaml", Expect::Created),
        // `cat /etc/hosts` prints and exits; restartPolicy Never.
        row("k8s-website/service/networking/hostaliases-pod.yaml", completed("hostaliases-pod", 1)),
        row("k8s-website/service/networking/ingress-resource-backend.yaml", Expect::Created),
        row("k8s-website/service/networking/minimal-ingress.yaml", Expect::Created),
        row("k8s-website/service/networking/name-virtual-host-ingress.yaml", Expect::Created),
        row("k8s-website/service/networking/network-policy-allow-all-ingress.yaml", Expect::Created),
        row("k8s-website/service/networking/network-policy-default-deny-all.yaml", Expect::Created),
        row("k8s-website/service/networking/networkpolicy-multiport-egress.yaml", Expect::Created),
        row("k8s-website/service/networking/networkpolicy.yaml", Expect::Created),
        row("k8s-website/service/networking/nginx-policy.yaml", Expect::Created),
        row("k8s-website/service/networking/nginx-secure-app.yaml", running("my-nginx-", 1)).before(NGINX_SECRET),
        row("k8s-website/service/networking/simple-fanout-example.yaml", Expect::Created),
        row("k8s-website/service/networking/tls-example-ingress.yaml", Expect::Created),
        row("k8s-website/service/nginx-service.yaml", Expect::Created),
        row("k8s-website/service/pod-with-graceful-termination.yaml", running("nginx-deployment-", 1)),
        row("k8s-website/validatingadmissionpolicy/basic-example-policy.yaml", no_kind("demo-policy.example.com", "", "ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1beta1"))
            .variant("API version not served"),
        row("k8s-website/validatingadmissionpolicy/failure-policy-ignore.yaml", no_kind("", "", "ValidatingAdmissionPolicy", "admissionregistration.k8s.io/v1beta1"))
            .variant("fragment ended by `...`"),
        // A parameter object for a policy: its CRD (rules.example.com) is the reader's to create.
        row("k8s-website/validatingadmissionpolicy/replicalimit-param.yaml", no_kind("replica-limit-test.example.com", "", "ReplicaLimit", "rules.example.com/v1")).variant(CRD),
        // nodeSelector kubernetes.io/os=windows: every kind node is linux.
        row("k8s-website/windows/simple-pod.yaml", pending("default", "iis", NODE_AFFINITY)),
    ]
}
