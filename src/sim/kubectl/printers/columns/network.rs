//! Rows for networking kinds: Ingress, IngressClass, NetworkPolicy, EndpointSlice.

use serde_json::Value;

use super::super::fields::{arr_at, at, format_label_selector, i64_at, obj_at, opt_str, str_at};
use super::RowCtx;
use super::core::load_balancer_ingress;

fn name(obj: &Value) -> String {
    str_at(obj, &["metadata", "name"]).to_string()
}

/// Ingress CLASS, HOSTS (`*` when none), ADDRESS, PORTS (`80` or `80, 443` with TLS).
pub fn ingress(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let ports = if arr_at(obj, &["spec", "tls"]).is_empty() { "80" } else { "80, 443" };
    vec![
        name(obj),
        opt_str(obj, &["spec", "ingressClassName"]).unwrap_or("<none>").to_string(),
        format_hosts(arr_at(obj, &["spec", "rules"])),
        load_balancer_ingress(arr_at(obj, &["status", "loadBalancer", "ingress"])).join(","),
        ports.to_string(),
        ctx.age(obj),
    ]
}

/// `formatHosts`, including its habit of counting hostless rules in `+ N more...`.
fn format_hosts(rules: &[Value]) -> String {
    const MAX: usize = 3;
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = str_at(rule, &["host"]);
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let ret = list.join(",");
    if more { format!("{ret} + {} more...", rules.len() - MAX) } else { ret }
}

/// IngressClass CONTROLLER and PARAMETERS (`Kind.group/name`).
pub fn ingress_class(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let parameters = match obj_at(obj, &["spec", "parameters"]) {
        Some(_) => {
            let mut p = str_at(obj, &["spec", "parameters", "kind"]).to_string();
            if let Some(g) = opt_str(obj, &["spec", "parameters", "apiGroup"]) {
                p = format!("{p}.{g}");
            }
            format!("{p}/{}", str_at(obj, &["spec", "parameters", "name"]))
        }
        None => "<none>".into(),
    };
    vec![name(obj), str_at(obj, &["spec", "controller"]).to_string(), parameters, ctx.age(obj)]
}

/// NetworkPolicy POD-SELECTOR.
pub fn network_policy(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let sel = at(obj, &["spec", "podSelector"]).cloned().unwrap_or_else(|| Value::Object(Default::default()));
    vec![name(obj), format_label_selector(Some(&sel)), ctx.age(obj)]
}

/// EndpointSlice ADDRESSTYPE, PORTS and ENDPOINTS (three, then `+ N more...`; `<unset>` when none).
pub fn endpoint_slice(obj: &Value, ctx: &RowCtx) -> Vec<String> {
    let ports: Vec<String> = arr_at(obj, &["ports"])
        .iter()
        .map(|p| match (at(p, &["port"]).filter(|v| v.is_number()), opt_str(p, &["name"])) {
            (Some(_), _) => i64_at(p, &["port"]).to_string(),
            (None, Some(n)) => n.to_string(),
            (None, None) => "*".into(),
        })
        .collect();
    let addrs: Vec<String> = arr_at(obj, &["endpoints"])
        .iter()
        .flat_map(|e| arr_at(e, &["addresses"]).iter().filter_map(Value::as_str).map(str::to_string))
        .collect();
    vec![
        name(obj),
        str_at(obj, &["addressType"]).to_string(),
        list_with_more(&ports),
        list_with_more(&addrs),
        ctx.age(obj),
    ]
}

/// `listWithMoreString` over the first three items.
fn list_with_more(items: &[String]) -> String {
    const MAX: usize = 3;
    let shown = items.iter().take(MAX).cloned().collect::<Vec<_>>().join(",");
    if items.len() > MAX {
        format!("{shown} + {} more...", items.len() - MAX)
    } else if shown.is_empty() {
        "<unset>".into()
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CTX: RowCtx = RowCtx { now: 0 };

    #[test]
    fn ingress_hosts_and_ports() {
        let ing = json!({"metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx", "tls": [{}],
            "rules": [{"host": "a.com"}, {}, {"host": "b.com"}, {"host": "c.com"}, {"host": "d.com"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.2"}]}}});
        assert_eq!(ingress(&ing, &CTX)[1..5], ["nginx", "a.com,b.com,c.com + 2 more...", "192.168.49.2", "80, 443"]);
        assert_eq!(ingress(&json!({}), &CTX)[1..5], ["<none>", "*", "", "80"]);
    }

    #[test]
    fn endpoint_slices_and_policies() {
        let es = json!({"addressType": "IPv4", "ports": [{"port": 80, "name": "http"}, {"name": "x"}, {}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2", "10.0.0.3"]}, {"addresses": ["10.0.0.4"]}]});
        assert_eq!(endpoint_slice(&es, &CTX)[1..4], ["IPv4", "80,x,*", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."]);
        assert_eq!(endpoint_slice(&json!({}), &CTX)[2..4], ["<unset>", "<unset>"]);
        assert_eq!(network_policy(&json!({"spec": {"podSelector": {}}}), &CTX)[1], "<none>");
        let ic = json!({"spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Params", "apiGroup": "x.io", "name": "p"}}});
        assert_eq!(ingress_class(&ic, &CTX)[1..3], ["k8s.io/ingress-nginx", "Params.x.io/p"]);
    }
}
