//! What the corpus table checks after the cluster has run: pod rows as `kubectl get pods` prints them,
//! and the few outcomes that need more than a STATUS column (OOMKilled, quota, job conditions).

use k8s_sandbox::sim::kubectl::{self, NoFiles};
use k8s_sandbox::sim::world::World;

/// One line of `kubectl get pods --no-headers`.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub name: String,
    pub ready: String,
    pub status: String,
    pub restarts: u32,
}

/// Runs a kubectl line; the checks only read, so a failure is reported as its text.
pub fn kubectl(w: &mut World, line: &str) -> Result<String, String> {
    let out = kubectl::execute(w, line, None, &NoFiles);
    if out.failed { Err(format!("`kubectl {line}` failed: {}", out.stderr)) } else { Ok(out.stdout) }
}

/// The pods of a namespace, parsed from kubectl's table (empty when there are none).
pub fn pods(w: &mut World, ns: &str) -> Vec<PodRow> {
    let out = kubectl::execute(w, &format!("get pods -n {ns} --no-headers"), None, &NoFiles);
    out.stdout
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let restarts = cols.get(3)?.parse().ok()?;
            Some(PodRow {
                name: cols.first()?.to_string(),
                ready: cols.get(1)?.to_string(),
                status: cols.get(2)?.to_string(),
                restarts,
            })
        })
        .collect()
}

/// `count` pods whose names start with `prefix`, each with one of the `status` values; if `why` is
/// set, `kubectl describe` of the first one contains it (the scheduler's or kubelet's reason).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pods {
    pub ns: &'static str,
    pub prefix: &'static str,
    pub count: usize,
    pub status: &'static [&'static str],
    pub why: Option<&'static str>,
}

impl Pods {
    pub fn check(&self, w: &mut World) -> Result<(), String> {
        let all = pods(w, self.ns);
        let mine: Vec<&PodRow> = all.iter().filter(|p| p.name.starts_with(self.prefix)).collect();
        let ok = mine.len() == self.count && mine.iter().all(|p| self.status.contains(&p.status.as_str()));
        if !ok {
            return Err(format!(
                "expected {} pod(s) {:?}* in {:?} with STATUS in {:?}, got {mine:?}",
                self.count, self.prefix, self.ns, self.status
            ));
        }
        if let (Some(why), Some(first)) = (self.why, mine.first()) {
            let text = kubectl(w, &format!("describe pod {} -n {}", first.name, self.ns))?;
            if !text.contains(why) {
                return Err(format!("expected `describe pod {}` to mention {why:?}:\n{text}", first.name));
            }
        }
        Ok(())
    }
}

/// A jsonpath read of one object.
fn jsonpath(w: &mut World, what: &str, ns: &str, path: &str) -> Result<String, String> {
    kubectl(w, &format!("get {what} -n {ns} -o 'jsonpath={{{path}}}'"))
}

fn expect_eq(what: &str, got: String, want: &str) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: expected {want:?}, got {got:?}")) }
}

/// memory-request-limit-2: the stress container allocates 250M under a 100Mi limit; the kernel's
/// OOM killer ends it, the kubelet records `OOMKilled` and restarts it with back-off.
pub fn oom_killed(w: &mut World) -> Result<(), String> {
    Pods {
        ns: "mem-example",
        prefix: "memory-demo-2",
        count: 1,
        status: &["OOMKilled", "CrashLoopBackOff"],
        why: None,
    }
    .check(w)?;
    let reason =
        jsonpath(w, "pod memory-demo-2", "mem-example", ".status.containerStatuses[0].lastState.terminated.reason")?;
    expect_eq("last termination reason", reason, "OOMKilled")?;
    let restarts = pods(w, "mem-example").first().map_or(0, |p| p.restarts);
    if restarts < 2 {
        return Err(format!("expected repeated restarts within three minutes, got {restarts}"));
    }
    Ok(())
}

/// cronjob.yaml: `* * * * *` starts a Job each minute; each prints the date and completes.
pub fn cron_runs_every_minute(w: &mut World) -> Result<(), String> {
    let done =
        pods(w, "default").into_iter().filter(|p| p.name.starts_with("hello-") && p.status == "Completed").count();
    if !(2..=3).contains(&done) {
        return Err(format!("expected 2-3 completed hello-* pods after three minutes, got {done}"));
    }
    let last = jsonpath(w, "cronjob hello", "default", ".status.lastScheduleTime")?;
    if last.is_empty() { Err("the CronJob has no lastScheduleTime".into()) } else { Ok(()) }
}

/// job-pod-failure-policy-example: exit code 42 matches the `FailJob` rule, so the Job fails at the
/// first failed pod, with reason PodFailurePolicy, without using its backoffLimit of 6.
pub fn failed_by_pod_failure_policy(w: &mut World) -> Result<(), String> {
    let reason = jsonpath(
        w,
        "job job-pod-failure-policy-example",
        "default",
        ".status.conditions[?(@.type==\"Failed\")].reason",
    )?;
    expect_eq("Failed condition reason", reason, "PodFailurePolicy")
}

/// job-backoff-limit-per-index-example: the even indexes fail twice each (backoffLimitPerIndex 1),
/// the odd ones succeed; five failed indexes do not exceed maxFailedIndexes, so every index runs and
/// the Job ends Failed with reason FailedIndexes.
pub fn failed_indexes(w: &mut World) -> Result<(), String> {
    let job = "job job-backoff-limit-per-index-example";
    expect_eq("failedIndexes", jsonpath(w, job, "default", ".status.failedIndexes")?, "0,2,4,6,8")?;
    expect_eq("completedIndexes", jsonpath(w, job, "default", ".status.completedIndexes")?, "1,3,5,7,9")?;
    let reason = jsonpath(w, job, "default", ".status.conditions[?(@.type==\"Failed\")].reason")?;
    expect_eq("Failed condition reason", reason, "FailedIndexes")
}

/// quota-pod-deployment with the `pods: "2"` quota: the ReplicaSet gets two pods; the third create is
/// refused by the ResourceQuota admission plugin, which the ReplicaSet reports as FailedCreate.
pub fn quota_caps_replicas(w: &mut World) -> Result<(), String> {
    let ns = "quota-pod-example";
    Pods { ns, prefix: "pod-quota-demo-", count: 2, status: &["Running"], why: None }.check(w)?;
    let ready = jsonpath(w, "deployment pod-quota-demo", ns, ".status.readyReplicas")?;
    expect_eq("readyReplicas", ready, "2")?;
    let events = kubectl(w, &format!("describe rs -n {ns}"))?;
    if events.contains("exceeded quota: pod-demo, requested: pods=1, used: pods=2, limited: pods=2") {
        Ok(())
    } else {
        Err(format!("expected a FailedCreate event for the quota:\n{events}"))
    }
}

/// memory-defaults-pod in a namespace with the mem-limit-range LimitRange: the LimitRanger admission
/// plugin gives the container the default limit (512Mi) and request (256Mi).
pub fn limit_range_defaults(w: &mut World) -> Result<(), String> {
    let ns = "default-mem-example";
    Pods { ns, prefix: "default-mem-demo", count: 1, status: &["Running"], why: None }.check(w)?;
    let limit = jsonpath(w, "pod default-mem-demo", ns, ".spec.containers[0].resources.limits.memory")?;
    let request = jsonpath(w, "pod default-mem-demo", ns, ".spec.containers[0].resources.requests.memory")?;
    expect_eq("memory limit", limit, "512Mi")?;
    expect_eq("memory request", request, "256Mi")
}

/// A claim bound to a statically provisioned volume (storageClassName `manual`), as the PV controller
/// binds it within seconds.
pub fn claim_bound(claim: &'static str, volume: &'static str) -> impl Fn(&mut World) -> Result<(), String> {
    move |w| {
        expect_eq("claim phase", jsonpath(w, &format!("pvc {claim}"), "default", ".status.phase")?, "Bound")?;
        expect_eq("claim volume", jsonpath(w, &format!("pvc {claim}"), "default", ".spec.volumeName")?, volume)
    }
}

/// pod-nginx-specific-node: `nodeName: foo-node` names a node that does not exist. No scheduler or
/// kubelet takes the pod, and the pod garbage collector deletes it (orphaned, after 40 s quarantine).
pub fn orphan_is_collected(w: &mut World) -> Result<(), String> {
    let out = kubectl::execute(w, "get pod nginx", None, &NoFiles);
    expect_eq("get pod nginx", out.stderr, "Error from server (NotFound): pods \"nginx\" not found\n")
}

/// mysql-statefulset after its ConfigMap and Services: mysql-0 (primary) runs both containers; the
/// replicas follow one at a time (OrderedReady), so at least mysql-0 and mysql-1 exist after 3 min.
pub fn mysql_primary_runs(w: &mut World) -> Result<(), String> {
    let all = pods(w, "default");
    let primary = all.iter().find(|p| p.name == "mysql-0").ok_or("no mysql-0")?;
    if (primary.ready.as_str(), primary.status.as_str()) != ("2/2", "Running") {
        return Err(format!("expected mysql-0 2/2 Running, got {primary:?}"));
    }
    if !all.iter().any(|p| p.name == "mysql-1") {
        return Err(format!("expected mysql-1 to follow, got {all:?}"));
    }
    let mut created = |name: &str| jsonpath(w, &format!("pod {name}"), "default", ".metadata.creationTimestamp");
    let (first, second) = (created("mysql-0")?, created("mysql-1")?);
    if first > second {
        return Err(format!("mysql-0 ({first}) was created after mysql-1 ({second}): it was replaced, not restarted"));
    }
    Ok(())
}

/// indexed-job: five pods Completed, and the worker of index 2 prints the word its init container
/// wrote for it into the shared emptyDir (`baz`, reversed by `rev`).
pub fn indexed_words(w: &mut World) -> Result<(), String> {
    Pods { ns: "default", prefix: "indexed-job-", count: 5, status: &["Completed"], why: None }.check(w)?;
    let name = pods(w, "default").into_iter().find(|p| p.name.starts_with("indexed-job-2-")).map(|p| p.name);
    let name = name.ok_or("no pod for index 2")?;
    expect_eq("index 2's log", kubectl(w, &format!("logs {name} -c worker"))?, "zab\n")
}
