//! `describeIngressV1` and `describeIngressClassV1`: an Ingress's address, class, default backend,
//! TLS and rules, each backend with the endpoints of its Service (`describeBackendV1`).

use serde_json::Value;

use super::super::columns::load_balancer_ingress;
use super::super::fields::{arr_at, at, i64_at, opt_str, str_at, string_map};
use super::service::format_endpoint_slices;
use super::writer::PrefixWriter;
use super::{DescribeContext, annotations_multiline, events, labels_multiline};

/// `serviceBackendStringer`: `name:port`.
fn service_backend(svc: &Value) -> String {
    let number = i64_at(svc, &["port", "number"]);
    let port = if number != 0 { number.to_string() } else { str_at(svc, &["port", "name"]).to_string() };
    format!("{}:{port}", str_at(svc, &["name"]))
}

/// `describeBackendV1`: the backend and its Service's ready endpoints on the port it names, or the
/// error of getting the Service.
fn backend(b: &Value, ctx: &DescribeContext) -> String {
    if let Some(svc) = at(b, &["service"]).filter(|s| !s.is_null()) {
        let sb = service_backend(svc);
        let name = str_at(svc, &["name"]);
        let Some(service) = ctx.services.iter().find(|s| str_at(s, &["metadata", "name"]) == name) else {
            return format!("{sb} (<error: services \"{name}\" not found>)");
        };
        let number = i64_at(svc, &["port", "number"]);
        let port_name = str_at(svc, &["port", "name"]);
        let mut sp_name = "";
        for sp in arr_at(service, &["spec", "ports"]) {
            if (number != 0 && i64_at(sp, &["port"]) == number)
                || (!port_name.is_empty() && str_at(sp, &["name"]) == port_name)
            {
                sp_name = str_at(sp, &["name"]);
            }
        }
        let slices: Vec<Value> = ctx
            .endpoint_slices
            .iter()
            .filter(|s| str_at(s, &["metadata", "labels", "kubernetes.io/service-name"]) == name)
            .cloned()
            .collect();
        return format!("{sb} ({})", format_endpoint_slices(&slices, sp_name));
    }
    if let Some(r) = at(b, &["resource"]).filter(|r| !r.is_null()) {
        let group = opt_str(r, &["apiGroup"]).unwrap_or("<none>");
        return format!("APIGroup: {group}, Kind: {}, Name: {}", str_at(r, &["kind"]), str_at(r, &["name"]));
    }
    String::new()
}

/// Describes an Ingress; `ctx.services` and `ctx.endpoint_slices` hold its namespace's.
pub fn describe_ingress(w: &mut PrefixWriter, ing: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(ing, &["metadata", "name"])));
    labels_multiline(w, "Labels", &string_map(ing, &["metadata", "labels"]));
    w.write(0, &format!("Namespace:\t{}\n", str_at(ing, &["metadata", "namespace"])));
    let address = load_balancer_ingress(arr_at(ing, &["status", "loadBalancer", "ingress"])).join(",");
    w.write(0, &format!("Address:\t{address}\n"));
    w.write(0, &format!("Ingress Class:\t{}\n", opt_str(ing, &["spec", "ingressClassName"]).unwrap_or("<none>")));
    let default = at(ing, &["spec", "defaultBackend"])
        .filter(|d| !d.is_null())
        .map_or("<default>".to_string(), |d| backend(d, ctx));
    w.write(0, &format!("Default backend:\t{default}\n"));
    let tls = arr_at(ing, &["spec", "tls"]);
    if !tls.is_empty() {
        w.write(0, "TLS:\n");
        for t in tls {
            let hosts = arr_at(t, &["hosts"]).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
            match str_at(t, &["secretName"]) {
                "" => w.write(1, &format!("SNI routes {hosts}\n")),
                secret => w.write(1, &format!("{secret} terminates {hosts}\n")),
            }
        }
    }
    w.write(0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in arr_at(ing, &["spec", "rules"]) {
        let Some(http) = at(rule, &["http"]).filter(|h| !h.is_null()) else { continue };
        count += 1;
        let host = match str_at(rule, &["host"]) {
            "" => "*",
            h => h,
        };
        w.write(1, &format!("{host}\t\n"));
        for p in arr_at(http, &["paths"]) {
            let b = at(p, &["backend"]).map_or(String::new(), |b| backend(b, ctx));
            w.write(2, &format!("\t{} \t{b}\n", str_at(p, &["path"])));
        }
    }
    if count == 0 {
        w.write(1, &format!("*\t*\t{default}\n"));
    }
    annotations_multiline(w, "Annotations", ing);
    events::describe_events(w, evs, ctx);
}

/// Describes an IngressClass.
pub fn describe_ingress_class(w: &mut PrefixWriter, ic: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(ic, &["metadata", "name"])));
    labels_multiline(w, "Labels", &string_map(ic, &["metadata", "labels"]));
    annotations_multiline(w, "Annotations", ic);
    w.write(0, &format!("Controller:\t{}\n", str_at(ic, &["spec", "controller"])));
    if let Some(p) = at(ic, &["spec", "parameters"]).filter(|p| !p.is_null()) {
        w.write(0, "Parameters:\n");
        if let Some(g) = opt_str(p, &["apiGroup"]) {
            w.write(1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", str_at(p, &["kind"])));
        w.write(1, &format!("Name:\t{}\n", str_at(p, &["name"])));
    }
    events::describe_events(w, evs, ctx);
}
