//! `kubectl top node` and `kubectl top pod` (`cmd/top`, `metricsutil/metrics_printer.go`): CPU and
//! memory use from the Metrics API (`metrics.k8s.io/v1beta1`, served through the apiserver from
//! metrics-server's last scrape), with kubectl's columns (trailing tab included). Without an
//! available metrics-server kubectl says `error: Metrics API not available`.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::Value;

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace};
use super::nodes::nodes_rt;
use super::printers::tabwriter::TabWriter;
use super::target::pods_rt;
use super::{Ctx, Output};
use crate::sim::api::quantity::{parse_bytes, parse_cpu_millis};
use crate::sim::apiserver::metrics::{NODE_METRICS, POD_METRICS};
use crate::sim::node::kubelet::inspect::{ContainerUsage, PodUsage};
use crate::sim::time::parse_rfc3339;

const HELP: &str = "Display resource (CPU/memory) usage.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]";

/// How long after creation a pod without metrics is "not available yet" rather than missing.
const METRICS_CREATION_DELAY_MS: u64 = 2 * 60 * 1000;

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    match words.split_first() {
        Some((sub, rest)) if matches!(sub.as_str(), "node" | "nodes" | "no") => top_nodes(cx, rest, out),
        Some((sub, rest)) if matches!(sub.as_str(), "pod" | "pods" | "po") => top_pods(cx, rest, out),
        Some((sub, _)) if !sub.starts_with('-') => {
            Err(format!("error: unknown command \"{sub}\"\nSee 'kubectl top -h' for help and examples"))
        }
        _ => Err(HELP.into()),
    }
}

/// One printed metrics row: name cells, CPU millicores, memory bytes, and (nodes) what is available.
struct Row {
    cells: Vec<String>,
    cpu: u64,
    memory: u64,
    available: Option<(i64, i64)>,
}

fn sort_rows(rows: &mut [Row], sort_by: Option<&str>) {
    match sort_by {
        Some("cpu") => rows.stable_sort_by_key(|r| std::cmp::Reverse(r.cpu)),
        Some("memory") => rows.stable_sort_by_key(|r| std::cmp::Reverse(r.memory)),
        _ => {}
    }
}

/// `printMetricsLine`: every cell is tab-terminated, so even the last column is padded. Returns the
/// unaligned text (cells end with tabs), so more lines can join the same table before aligning.
fn raw_rows(header: &[&str], rows: &[Row], no_headers: bool) -> String {
    let mut w = String::new();
    if !no_headers {
        for h in header {
            w.push_str(&format!("{h}\t"));
        }
        w.push('\n');
    }
    for r in rows {
        for c in &r.cells {
            w.push_str(&format!("{c}\t"));
        }
        w.push_str(&format!("{}m\t", r.cpu));
        if let Some((cpu_avail, _)) = r.available {
            w.push_str(&format!("{}%\t", percent(r.cpu as i64, cpu_avail)));
        }
        w.push_str(&format!("{}Mi\t", r.memory / (1024 * 1024)));
        if let Some((_, mem_avail)) = r.available {
            w.push_str(&format!("{}%\t", percent(r.memory as i64, mem_avail)));
        }
        w.push('\n');
    }
    w
}

/// Lays out tab-separated text as kubectl's table tabwriter does.
fn aligned(raw: &str) -> String {
    let mut w = TabWriter::for_tables();
    w.write(raw);
    w.finish()
}

fn percent(used: i64, available: i64) -> i64 {
    if available <= 0 { 0 } else { (used as f64 / available as f64 * 100.0) as i64 }
}

fn validate_sort(p: &args::Parsed) -> Result<(), String> {
    match p.get("sort-by") {
        None | Some("cpu" | "memory") => Ok(()),
        Some(_) => Err("error: --sort-by accepts only cpu or memory".into()),
    }
}

fn top_nodes(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("selector", Some('l'), FlagKind::Value),
            flag("sort-by", None, FlagKind::Value),
            flag("no-headers", None, FlagKind::Bool),
            flag("show-capacity", None, FlagKind::Bool),
            flag("use-protocol-buffers", None, FlagKind::Bool),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl top node --help' for usage."))?;
    validate_sort(&p)?;
    let metrics = metrics_list(cx, &NODE_METRICS, None, p.get("selector"))?;
    let nodes = match p.positional.first() {
        Some(name) => {
            if !metrics.iter().any(|m| common::name_of(m) == name) {
                return Err(format!("Error from server (NotFound): nodemetrics.metrics.k8s.io {name:?} not found"));
            }
            vec![common::get_one(cx, nodes_rt(), "", name).map_err(|e| e.to_string())?]
        }
        None => list(cx, nodes_rt(), None, p.get("selector"), None).map_err(|e| e.to_string())?,
    };
    let field = if p.bool("show-capacity") { "capacity" } else { "allocatable" };
    let (mut rows, mut missing) = (Vec::new(), Vec::new());
    for node in &nodes {
        let name = common::name_of(node).to_string();
        let q = |k: &str| node.at(&format!("/status/{field}/{k}")).and_then(Value::as_str).unwrap_or("0").to_string();
        let available = (parse_cpu_millis(&q("cpu")).unwrap_or(0), parse_bytes(&q("memory")).unwrap_or(0));
        match metrics.iter().find(|m| common::name_of(m) == name) {
            Some(m) => {
                let (cpu, memory) = usage_of(m.get("usage"));
                rows.push(Row { cells: vec![name], cpu, memory, available: Some(available) });
            }
            // metrics-server cannot scrape a node that is down: kubectl prints `<unknown>`.
            None => missing.push(name),
        }
    }
    if rows.is_empty() {
        return Err("error: metrics not available yet".into());
    }
    sort_rows(&mut rows, p.get("sort-by"));
    let mut raw =
        raw_rows(&["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], &rows, p.bool("no-headers"));
    missing.stable_sort();
    for n in &missing {
        // `printMissingMetricsNodeLine`, whose `printValue("\t")` makes the doubled empty cells.
        raw.push_str(&format!("{n}\t{}\n", "<unknown>\t\t\t".repeat(4)));
    }
    out.stdout.push_str(&aligned(&raw));
    Ok(())
}

/// A Metrics API list through the apiserver; an unavailable metrics-server is kubectl's
/// `Metrics API not available` (the aggregator leaves the group out of discovery).
fn metrics_list(
    cx: &mut Ctx,
    rt: &'static crate::sim::api::ResourceType,
    ns: Option<&str>,
    selector: Option<&str>,
) -> Result<Vec<Value>, String> {
    list(cx, rt, ns, selector, None)
        .map_err(|e| if e.code == 503 { "error: Metrics API not available".to_string() } else { e.to_string() })
}

/// (millicores, bytes) of a metrics `usage` map.
fn usage_of(usage: Option<&Value>) -> (u64, u64) {
    let q = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_str).unwrap_or("0").to_string();
    (parse_cpu_millis(&q("cpu")).unwrap_or(0).max(0) as u64, parse_bytes(&q("memory")).unwrap_or(0).max(0) as u64)
}

/// Pod metrics as (namespace, name, containers' usage), sorted by namespace and name.
fn pod_usage_of(metrics: &[Value]) -> Vec<PodUsage> {
    let mut all: Vec<PodUsage> = metrics
        .iter()
        .map(|m| PodUsage {
            namespace: m.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string(),
            name: common::name_of(m).to_string(),
            containers: m
                .get("containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| {
                    let (cpu_millis, memory_bytes) = usage_of(c.get("usage"));
                    let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                    ContainerUsage { name, cpu_millis, memory_bytes }
                })
                .collect(),
        })
        .collect();
    all.stable_sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    all
}

fn top_pods(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("all-namespaces", Some('A'), FlagKind::Bool),
            flag("selector", Some('l'), FlagKind::Value),
            flag("field-selector", None, FlagKind::Value),
            flag("containers", None, FlagKind::Bool),
            flag("sort-by", None, FlagKind::Value),
            flag("no-headers", None, FlagKind::Bool),
            flag("use-protocol-buffers", None, FlagKind::Bool),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl top pod --help' for usage."))?;
    validate_sort(&p)?;
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(&p);
    let name = p.positional.first().cloned();
    // The pods the selectors keep (the Metrics API filters by the pods' labels and fields).
    let scope = if all_ns { None } else { Some(ns.as_str()) };
    let metrics = metrics_list(cx, &POD_METRICS, scope, p.get("selector"))?;
    let pods = list(cx, pods_rt(), scope, p.get("selector"), p.get("field-selector")).map_err(|e| e.to_string())?;
    let wanted = |u: &PodUsage| {
        pods.iter().any(|pod| {
            common::name_of(pod) == u.name
                && pod.at("/metadata/namespace").and_then(Value::as_str) == Some(u.namespace.as_str())
        })
    };
    let usage: Vec<PodUsage> = pod_usage_of(&metrics)
        .into_iter()
        .filter(|u| wanted(u) && name.as_ref().is_none_or(|n| *n == u.name))
        .collect();
    if let (Some(n), true) = (&name, usage.is_empty()) {
        return Err(format!("Error from server (NotFound): podmetrics.metrics.k8s.io \"{ns}/{n}\" not found"));
    }
    if usage.is_empty() {
        if pods.is_empty() {
            out.stderr.push_str(&if all_ns {
                "No resources found\n".to_string()
            } else {
                format!("No resources found in {ns} namespace.\n")
            });
            return Ok(());
        }
        let now = cx.world.now();
        for pod in &pods {
            let created =
                pod.at("/metadata/creationTimestamp").and_then(Value::as_str).and_then(parse_rfc3339).unwrap_or(now);
            if now.saturating_sub(created) > METRICS_CREATION_DELAY_MS {
                let pns = pod.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
                let age = super::drain::go_duration(now.saturating_sub(created));
                return Err(format!("error: Metrics not available for pod {pns}/{}, age: {age}", common::name_of(pod)));
            }
        }
        return Err("error: metrics not available yet".into());
    }
    let mut rows = Vec::new();
    for u in &usage {
        let lead: Vec<String> = if all_ns { vec![u.namespace.clone()] } else { Vec::new() };
        if p.bool("containers") {
            let mut cs = u.containers.clone();
            cs.stable_sort_by(|a, b| a.name.cmp(&b.name));
            for c in cs {
                let mut cells = lead.clone();
                cells.extend([u.name.clone(), c.name.clone()]);
                rows.push(Row { cells, cpu: c.cpu_millis, memory: c.memory_bytes, available: None });
            }
        } else {
            let mut cells = lead;
            cells.push(u.name.clone());
            rows.push(Row {
                cells,
                cpu: u.containers.iter().map(|c| c.cpu_millis).sum(),
                memory: u.containers.iter().map(|c| c.memory_bytes).sum(),
                available: None,
            });
        }
    }
    sort_rows(&mut rows, p.get("sort-by"));
    let mut header = Vec::new();
    if all_ns {
        header.push("NAMESPACE");
    }
    if p.bool("containers") {
        header.push("POD");
    }
    header.extend(["NAME", "CPU(cores)", "MEMORY(bytes)"]);
    out.stdout.push_str(&aligned(&raw_rows(&header, &rows, p.bool("no-headers"))));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_print_with_kubectl_units_and_trailing_padding() {
        let rows = vec![Row {
            cells: vec!["n1".into()],
            cpu: 250,
            memory: 1536 * 1024 * 1024,
            available: Some((4000, 8 << 30)),
        }];
        let text = aligned(&raw_rows(&["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], &rows, false));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
        );
        assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["n1", "250m", "6%", "1536Mi", "18%"]);
        assert!(lines[0].ends_with("   "), "the last column is tab-terminated too: {:?}", lines[0]);
    }

    #[test]
    fn sorting_and_percentages() {
        let row = |n: &str, cpu, memory| Row { cells: vec![n.into()], cpu, memory, available: None };
        let mut rows = vec![row("a", 1, 30), row("b", 3, 10), row("c", 2, 20)];
        sort_rows(&mut rows, Some("cpu"));
        assert_eq!(rows.iter().map(|r| r.cells[0].as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
        sort_rows(&mut rows, Some("memory"));
        assert_eq!(rows.iter().map(|r| r.cells[0].as_str()).collect::<Vec<_>>(), ["a", "c", "b"]);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(1, 0), 0);
    }
}
