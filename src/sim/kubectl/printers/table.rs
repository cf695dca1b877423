//! `kubectl get` tables: header, rows, NAMESPACE/LABELS decoration, `kind/name` prefixes and the
//! blank line between kinds, aligned with kubectl's tabwriter settings.

use serde_json::Value;

use super::columns::{self, RowCtx};
use super::fields::{format_labels, str_at, string_map};
use super::tabwriter::TabWriter;
use crate::sim::time::Millis;

/// How `kubectl get` was asked to print.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// Virtual time the AGE columns are measured against.
    pub now: Millis,
    /// `-o wide`: show the priority-1 columns too.
    pub wide: bool,
    /// `--show-labels`: add a LABELS column.
    pub show_labels: bool,
    /// `-A` / `--all-namespaces`: add a NAMESPACE column first.
    pub with_namespace: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    /// Several kinds requested (`get all`, `get deploy,svc`): names print as `kind.group/name` and
    /// each kind gets its own table, separated by a blank line.
    pub show_kind: bool,
}

/// Renders `objs` as `kubectl get` does. `kind` is used for objects that carry no `kind` field.
/// Returns an empty string for no objects (kubectl then prints "No resources found" itself).
pub fn table(kind: &str, objs: &[Value], opts: &TableOptions) -> String {
    if !opts.show_kind {
        return render(kind, objs, opts);
    }
    let mut out = String::new();
    let mut start = 0;
    while start < objs.len() {
        let k = kind_of(&objs[start], kind);
        let len = objs[start..].iter().take_while(|o| kind_of(o, kind) == k).count();
        let text = render(&k, &objs[start..start + len], opts);
        if !text.is_empty() {
            if !out.is_empty() && !opts.no_headers {
                out.push('\n');
            }
            out.push_str(&text);
        }
        start += len;
    }
    out
}

/// The object's own `kind`, else the caller's.
fn kind_of(obj: &Value, fallback: &str) -> String {
    let k = str_at(obj, &["kind"]);
    if k.is_empty() { columns::canonical_kind(fallback).unwrap_or(fallback).to_string() } else { k.to_string() }
}

/// `strings.ToLower(GroupKind.String())`: `deployment.apps`, `pod`.
pub fn kind_prefix(obj: &Value, kind: &str) -> String {
    let api_version = str_at(obj, &["apiVersion"]);
    let group = match api_version.split_once('/') {
        Some((g, _)) => g.to_string(),
        None if !api_version.is_empty() => String::new(),
        None => columns::group_of(kind).unwrap_or("").to_string(),
    };
    let kind = columns::canonical_kind(kind).unwrap_or(kind);
    if group.is_empty() { kind.to_lowercase() } else { format!("{kind}.{group}").to_lowercase() }
}

fn render(kind: &str, objs: &[Value], opts: &TableOptions) -> String {
    if objs.is_empty() {
        return String::new();
    }
    let printer = columns::printer_for(kind);
    let visible: Vec<usize> =
        (0..printer.columns.len()).filter(|&i| opts.wide || !printer.columns[i].wide_only).collect();
    let mut w = TabWriter::for_tables();
    if !opts.no_headers {
        let mut header: Vec<&str> = Vec::new();
        if opts.with_namespace {
            header.push("NAMESPACE");
        }
        header.extend(visible.iter().map(|&i| printer.columns[i].name));
        if opts.show_labels {
            header.push("LABELS");
        }
        w.write(&header.join("\t"));
        w.write("\n");
    }
    let ctx = RowCtx { now: opts.now };
    for obj in objs {
        let mut cells = (printer.row)(obj, &ctx);
        cells.resize(printer.columns.len(), String::new());
        if opts.show_kind
            && let Some(i) = printer.columns.iter().position(|c| c.is_name)
        {
            cells[i] = format!("{}/{}", kind_prefix(obj, kind), cells[i]);
        }
        let mut row: Vec<String> = Vec::new();
        if opts.with_namespace {
            row.push(str_at(obj, &["metadata", "namespace"]).to_string());
        }
        row.extend(visible.iter().map(|&i| cells[i].clone()));
        if opts.show_labels {
            row.push(format_labels(&string_map(obj, &["metadata", "labels"])));
        }
        let row: Vec<String> = row.iter().map(|c| sanitize_cell(c)).collect();
        w.write(&row.join("\t"));
        w.write("\n");
    }
    w.finish()
}

/// Cells stop at the first line break (`...` marks the cut) and terminal escapes are made visible,
/// as kubectl's `appendCellValue` does. A tab inside a cell splits it, in kubectl as here.
pub fn sanitize_cell(cell: &str) -> String {
    let (text, cut) = match cell.find(['\n', '\r', '\x0c']) {
        Some(i) => (&cell[..i], true),
        None => (cell, false),
    };
    let mut out = text.replace('\x1b', "^[");
    if cut {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ns: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": "2025-01-01T00:00:00Z", "labels": {"app": "web", "pod-template-hash": "5d4f"}},
            "spec": {"nodeName": "kind-worker", "containers": [{"name": "nginx", "image": "nginx"}]},
            "status": {"phase": "Running", "podIPs": [{"ip": "10.244.1.5"}],
                "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 0, "state": {"running": {}}}]}})
    }

    const NOW: Millis = 5 * 60_000 + 3_000;

    #[test]
    fn pods_default_table() {
        let opts = TableOptions { now: NOW, ..Default::default() };
        let got = table("Pod", &[pod("web-5d4f-abcde", "default"), pod("db", "default")], &opts);
        assert_eq!(
            got,
            "NAME             READY   STATUS    RESTARTS   AGE\n\
             web-5d4f-abcde   1/1     Running   0          5m3s\n\
             db               1/1     Running   0          5m3s\n"
        );
    }

    #[test]
    fn pods_wide_with_namespace_and_labels() {
        let opts = TableOptions { now: NOW, wide: true, with_namespace: true, show_labels: true, ..Default::default() };
        let got = table("pods", &[pod("web", "default")], &opts);
        assert_eq!(
            got,
            "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE    IP           NODE          NOMINATED NODE   READINESS GATES   LABELS\n\
             default     web    1/1     Running   0          5m3s   10.244.1.5   kind-worker   <none>           <none>            app=web,pod-template-hash=5d4f\n"
        );
    }

    #[test]
    fn no_headers_and_empty() {
        let opts = TableOptions { now: NOW, no_headers: true, ..Default::default() };
        assert_eq!(table("Pod", &[pod("a", "x")], &opts), "a     1/1   Running   0     5m3s\n");
        assert_eq!(table("Pod", &[], &opts), "");
    }

    #[test]
    fn several_kinds_get_prefixes_and_blank_lines() {
        let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"replicas": 1}, "status": {"readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1}});
        let svc = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"type": "ClusterIP", "clusterIPs": ["10.96.0.1"], "ports": [{"port": 443, "protocol": "TCP"}]}});
        let opts = TableOptions { now: NOW, show_kind: true, ..Default::default() };
        let got = table("", &[pod("web-1", "default"), svc, dep], &opts);
        assert_eq!(
            got,
            "NAME        READY   STATUS    RESTARTS   AGE\n\
             pod/web-1   1/1     Running   0          5m3s\n\
             \n\
             NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n\
             service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   5m3s\n\
             \n\
             NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n\
             deployment.apps/web   1/1     1            1           5m3s\n"
        );
        let quiet = TableOptions { no_headers: true, ..opts };
        assert_eq!(table("", &[pod("a", "d"), pod("b", "d")], &quiet).lines().count(), 2);
    }

    #[test]
    fn cells_with_newlines_are_cut() {
        assert_eq!(sanitize_cell("line1\nline2"), "line1...");
        assert_eq!(sanitize_cell("a\x1b[31mred"), "a^[[31mred");
        assert_eq!(sanitize_cell("a\tb"), "a\tb");
    }

    #[test]
    fn unknown_kinds_and_garbage_objects_still_print() {
        let opts = TableOptions { now: NOW, ..Default::default() };
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1", "creationTimestamp": "2025-01-01T00:05:00Z"}});
        assert_eq!(table("widgets", std::slice::from_ref(&widget), &opts), "NAME   AGE\nw1     3s\n");
        let with_kind = TableOptions { show_kind: true, ..opts };
        assert_eq!(
            table("widgets", &[widget], &with_kind),
            "NAME                    AGE\nwidget.example.com/w1   3s\n"
        );
        let junk = table("Pod", &[json!(null), json!("x"), json!({"metadata": []})], &opts);
        assert_eq!(junk.lines().count(), 4);
    }

    #[test]
    fn deployments_wide_and_events() {
        let dep = json!({"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": "web", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}},
            "status": {"readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}});
        let opts = TableOptions { now: NOW, wide: true, ..Default::default() };
        assert_eq!(
            table("deployments", &[dep], &opts),
            "NAME   READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES       SELECTOR\n\
             web    3/3     3            3           5m3s   nginx        nginx:1.27   app=web\n"
        );
        let ev = json!({"kind": "Event", "metadata": {"name": "web.17f"}, "type": "Warning", "reason": "BackOff",
            "involvedObject": {"kind": "Pod", "name": "web-1"}, "message": "Back-off restarting failed container",
            "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:05:00Z", "count": 7});
        let opts = TableOptions { now: NOW, ..Default::default() };
        assert_eq!(
            table("events", &[ev], &opts),
            "LAST SEEN   TYPE      REASON    OBJECT      MESSAGE\n3s          Warning   BackOff   pod/web-1   Back-off restarting failed container\n"
        );
    }

    #[test]
    fn roles_print_created_at() {
        let opts = TableOptions { now: NOW, ..Default::default() };
        let r = json!({"metadata": {"name": "pod-reader", "creationTimestamp": "2025-01-01T00:00:00Z"}});
        assert_eq!(table("Role", &[r], &opts), "NAME         CREATED AT\npod-reader   2025-01-01T00:00:00Z\n");
    }
}
