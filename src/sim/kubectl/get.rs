//! `kubectl get` and `kubectl describe`.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, list, namespace, no_resources, object_ref, targets};
use super::printers::{self, TableOptions};
use super::{Ctx, Output, Watching, sort_by};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::protocol::status::{Reason, Status};

const GET_FLAGS: &[args::FlagSpec] = &[
    flag("output", Some('o'), FlagKind::Value),
    flag("selector", Some('l'), FlagKind::Value),
    flag("field-selector", None, FlagKind::Value),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("watch", Some('w'), FlagKind::Bool),
    flag("show-labels", None, FlagKind::Bool),
    flag("no-headers", None, FlagKind::Bool),
    flag("show-kind", None, FlagKind::Bool),
    flag("filename", Some('f'), FlagKind::Multi),
    flag("sort-by", None, FlagKind::Value),
];

const NO_TYPE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// The output format asked for with `-o`.
enum Format {
    Table { wide: bool },
    Yaml,
    Json,
    Name,
    JsonPath(String),
}

fn format_of(o: Option<&str>) -> Result<Format, String> {
    Ok(match o {
        None | Some("") => Format::Table { wide: false },
        Some("wide") => Format::Table { wide: true },
        Some("yaml") => Format::Yaml,
        Some("json") => Format::Json,
        Some("name") => Format::Name,
        Some(o) if o.starts_with("jsonpath=") || o.starts_with("jsonpath-as-json=") => {
            Format::JsonPath(o.split_once('=').map(|x| x.1).unwrap_or_default().to_string())
        }
        Some(o) => {
            return Err(format!(
                "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
            ));
        }
    })
}

/// `all` expands to the resources in the `all` category, in kubectl's order.
fn expand_all(positional: &[String]) -> Vec<String> {
    let mut p = positional.to_vec();
    if let Some(first) = p.first_mut()
        && first.split(',').any(|t| t == "all")
    {
        let all: Vec<&str> =
            api::resources().iter().filter(|r| r.categories.contains(&"all")).map(|r| r.plural).collect();
        *first =
            first.split(',').flat_map(|t| if t == "all" { all.clone() } else { vec![t] }).collect::<Vec<_>>().join(",");
    }
    p
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, GET_FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl get --help' for usage."))?;
    if p.positional.is_empty() {
        return Err(NO_TYPE.into());
    }
    let format = format_of(p.get("output"))?;
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(&p);
    let groups = targets(&expand_all(&p.positional))?;
    let by_name = groups.iter().any(|(_, names)| !names.is_empty());
    let show_kind = groups.len() > 1 || p.bool("show-kind") || p.positional.iter().any(|a| a.contains('/'));
    let opts = TableOptions {
        now: cx.world.now(),
        wide: matches!(format, Format::Table { wide: true }),
        show_labels: p.bool("show-labels"),
        with_namespace: all_ns,
        no_headers: p.bool("no-headers"),
        show_kind,
    };
    let mut found: Vec<(&'static ResourceType, Vec<Value>)> = Vec::new();
    for (rt, names) in &groups {
        let objs = if names.is_empty() {
            let scope = if all_ns { None } else { Some(ns.as_str()) };
            let (labels, fields) = (p.get("selector"), p.get("field-selector"));
            match common::list_chunked(cx, rt, scope, labels, fields) {
                Ok(items) => items,
                Err(e) => {
                    out.err(list_error(rt, labels, fields, e).to_string());
                    continue;
                }
            }
        } else {
            let mut objs = Vec::new();
            for name in names {
                match common::get_one(cx, rt, &ns, name) {
                    Ok(o) => objs.push(o),
                    Err(e) => out.err(e.to_string()),
                }
            }
            objs
        };
        found.push((rt, objs));
    }
    // kubectl 1.33, checked through `sandbox serve`: with one kind, its table printer sorts the
    // rows (`TableSorter`) and a failure leaves the table unprinted, its error unreported (so
    // `No resources found` follows); with several kinds the sorter runs over the Table objects
    // themselves, which have no such field. A List's items are sorted together below.
    if let (Some(field), Format::Table { .. }) = (p.get("sort-by"), &format) {
        let kinds = found.iter().filter(|(_, objs)| !objs.is_empty()).count();
        if kinds > 1 {
            let path = printers::custom_columns::relaxed_jsonpath(field).unwrap_or_else(|_| field.to_string());
            return Err(format!("error: couldn't find any field with path {path:?} in the list of objects"));
        }
        for (_, objs) in found.iter_mut().filter(|(_, objs)| objs.len() > 1) {
            if sort_by::sort_objects(objs, field).is_err() {
                objs.clear();
            }
        }
    }
    let total: usize = found.iter().map(|(_, o)| o.len()).sum();
    if total == 0 && (!by_name || p.has("sort-by")) && !out.failed {
        let namespaced = groups.iter().any(|(r, _)| r.namespaced) && !all_ns;
        out.stderr.push_str(&no_resources(namespaced, Some(&ns)));
        out.stderr.push('\n');
    }
    match &format {
        Format::Table { .. } => {
            let mut first = true;
            for (rt, objs) in found.iter().filter(|(_, o)| !o.is_empty()) {
                // kubectl separates the tables of several kinds by a blank line, unless headers are off.
                if !first && !opts.no_headers {
                    out.stdout.push('\n');
                }
                first = false;
                out.stdout.push_str(&printers::table(rt.kind, objs, &opts));
            }
        }
        Format::Name => {
            if let Some(field) = p.get("sort-by") {
                for (_, objs) in &mut found {
                    sort_by::sort_objects(objs, field)?;
                }
            }
            for (rt, objs) in &found {
                for o in objs {
                    out.out(object_ref(rt, common::name_of(o)));
                }
            }
        }
        Format::Yaml | Format::Json | Format::JsonPath(_) => {
            let single = by_name && groups.len() == 1 && groups[0].1.len() == 1 && total == 1;
            let doc = if single {
                found.iter().flat_map(|(_, o)| o.iter()).next().cloned().unwrap_or(Value::Null)
            } else {
                let mut items: Vec<Value> = found.iter().flat_map(|(_, o)| o.iter().cloned()).collect();
                if let Some(field) = p.get("sort-by") {
                    sort_by::sort_objects(&mut items, field)?;
                }
                json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
            };
            if total > 0 || !by_name {
                match &format {
                    Format::Yaml => out.stdout.push_str(&printers::to_yaml(&doc)),
                    Format::Json => out.out(printers::to_json(&doc)),
                    Format::JsonPath(t) => match printers::jsonpath(t, &doc) {
                        Ok(s) => out.stdout.push_str(&s),
                        Err(e) => out.err(e.to_string()),
                    },
                    _ => {}
                }
            }
        }
    }
    if p.bool("watch") {
        for (rt, _) in &groups {
            let mut req = ApiRequest::new(0, Verb::Watch, rt);
            req.namespace = if rt.namespaced && !all_ns { Some(ns.clone()) } else { None };
            req.options.label_selector = p.get("selector").map(str::to_string);
            let watch_id = cx.world.open_watch(req);
            out.watching.push(Watching { watch_id, kind: rt.kind, options: TableOptions { no_headers: true, ..opts } });
        }
    }
    Ok(())
}

/// The resource builder's words around a list the apiserver refused as a bad request or not found
/// (`resource/selector.go`): it names the resource as a `GroupVersionResource` and the selectors.
fn list_error(rt: &ResourceType, labels: Option<&str>, fields: Option<&str>, mut e: Status) -> Status {
    if matches!(e.reason, Reason::BadRequest | Reason::NotFound) {
        let gvr = format!("{}/{}, Resource={}", rt.group, rt.version, rt.plural);
        e.message = match (labels.unwrap_or(""), fields.unwrap_or("")) {
            ("", "") => format!("Unable to list {gvr:?}: {}", e.message),
            (l, f) => {
                format!("Unable to find {gvr:?} that match label selector {l:?}, field selector {f:?}: {}", e.message)
            }
        };
    }
    e
}

const DESCRIBE_FLAGS: &[args::FlagSpec] = &[
    flag("selector", Some('l'), FlagKind::Value),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("show-events", None, FlagKind::Bool),
];

pub fn describe(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, DESCRIBE_FLAGS)
        .map_err(|e| format!("error: {e}\nSee 'kubectl describe --help' for usage."))?;
    if p.positional.is_empty() {
        return Err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".into());
    }
    let ns = namespace(&p);
    let mut first = true;
    for (rt, names) in targets(&p.positional)? {
        let objs = if names.is_empty() {
            let scope = if p.bool("all-namespaces") { None } else { Some(ns.as_str()) };
            let items = list(cx, rt, scope, p.get("selector"), None).map_err(|e| e.to_string())?;
            if items.is_empty() {
                out.stderr.push_str(&format!("{}\n", no_resources(rt.namespaced, Some(&ns))));
            }
            items
        } else {
            let mut v = Vec::new();
            for n in &names {
                match common::get_one(cx, rt, &ns, n) {
                    Ok(o) => v.push(o),
                    Err(e) => out.err(e.to_string()),
                }
            }
            v
        };
        for obj in objs {
            let events = events_for(cx, &obj);
            if !first {
                out.stdout.push_str("\n\n");
            }
            first = false;
            let mut related = related_for(cx, rt, &obj);
            related.hide_events = p.get("show-events") == Some("false");
            out.stdout.push_str(&printers::describe(rt.kind, &obj, &events, &related));
        }
    }
    Ok(())
}

/// The other objects kubectl's describers fetch for one kind (a node's pods and lease, a
/// deployment's ReplicaSets, ...), each with the same list request kubectl sends.
fn related_for(cx: &mut Ctx, rt: &ResourceType, obj: &Value) -> printers::DescribeContext {
    let mut related = printers::DescribeContext { now: cx.world.now(), ..Default::default() };
    let ns = obj.at("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = common::name_of(obj).to_string();
    let selector = obj.at("/spec/selector/matchLabels").and_then(Value::as_object).map(|m| {
        m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(",")
    });
    let mut fetch = |what: &str, ns: Option<&str>, labels: Option<&str>, fields: Option<&str>| {
        api::resolve(what).map(|r| list(cx, r, ns, labels, fields).unwrap_or_default()).unwrap_or_default()
    };
    match rt.kind {
        "Node" => {
            related.pods = fetch("pods", None, None, Some(&format!("spec.nodeName={name}")));
            related.lease = fetch("leases", Some("kube-node-lease"), None, Some(&format!("metadata.name={name}")))
                .into_iter()
                .next();
        }
        "ReplicaSet" => related.pods = fetch("pods", Some(&ns), selector.as_deref(), None),
        "ReplicationController" => {
            // `labels.SelectorFromSet(controller.Spec.Selector)`: the plain map as a selector.
            let set = obj.at("/spec/selector").and_then(Value::as_object).map(|m| {
                m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(",")
            });
            related.pods = fetch("pods", Some(&ns), set.as_deref(), None);
        }
        "Deployment" => related.replica_sets = fetch("replicasets", Some(&ns), selector.as_deref(), None),
        // `getPodsForPVC` lists the namespace's pods and keeps those with a volume of the claim.
        "PersistentVolumeClaim" => related.pods = fetch("pods", Some(&ns), None, None),
        "Service" => {
            related.endpoint_slices =
                fetch("endpointslices", Some(&ns), Some(&format!("kubernetes.io/service-name={name}")), None)
        }
        // `describeBackendV1` lists each backend's slices and gets its Service.
        "Ingress" => {
            related.services = fetch("services", Some(&ns), None, None);
            related.endpoint_slices = fetch("endpointslices", Some(&ns), None, None);
        }
        "Namespace" => {
            related.resource_quotas = fetch("resourcequotas", Some(&name), None, None);
            related.limit_ranges = fetch("limitranges", Some(&name), None, None);
        }
        _ => {}
    }
    related
}

/// Events about one object, as describe fetches them (by involvedObject fields).
fn events_for(cx: &mut Ctx, obj: &Value) -> Vec<Value> {
    let Some(rt) = api::for_kind("v1", "Event").ok() else { return Vec::new() };
    let ns = obj.at("/metadata/namespace").and_then(Value::as_str).unwrap_or("default").to_string();
    let name = common::name_of(obj).to_string();
    let uid = obj.at("/metadata/uid").and_then(Value::as_str).unwrap_or_default().to_string();
    let fields = format!("involvedObject.name={name},involvedObject.uid={uid}");
    list(cx, rt, Some(&ns), None, Some(&fields)).unwrap_or_default()
}
