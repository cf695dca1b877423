//! Describers for Namespace (with its quotas and limit ranges), ConfigMap and Secret.

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, obj_at, opt_str, str_at};
use super::quantity::canonical_text;
use super::writer::{PrefixWriter, rfc1123z};
use super::{DescribeContext, events, labels_and_annotations, name_namespace};

/// Describes a Namespace; `ctx.resource_quotas` and `ctx.limit_ranges` are its policies.
pub fn describe_namespace(w: &mut PrefixWriter, ns: &Value, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(ns, &["metadata", "name"])));
    labels_and_annotations(w, ns);
    w.write(0, &format!("Status:\t{}\n", str_at(ns, &["status", "phase"])));
    let conditions = arr_at(ns, &["status", "conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    str_at(c, &["type"]),
                    str_at(c, &["status"]),
                    rfc1123z(opt_str(c, &["lastTransitionTime"])),
                    str_at(c, &["reason"]),
                    str_at(c, &["message"])
                ),
            );
        }
    }
    w.write(0, "\n");
    resource_quotas(w, &ctx.resource_quotas);
    w.write(0, "\n");
    limit_ranges(w, &ctx.limit_ranges);
}

fn sorted_keys(v: &Value, path: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = obj_at(v, path).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    keys.stable_sort();
    keys
}

/// Help text kubectl prints under a quota scope.
fn scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => {
            "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system."
        }
        "NotTerminating" => {
            "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate."
        }
        "BestEffort" => {
            "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service."
        }
        "NotBestEffort" => {
            "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service."
        }
        _ => "",
    }
}

/// `describeQuota`, for `kubectl describe quota`: scopes with their help text, then each resource
/// of `status.hard` (sorted) with its `status.used` (`0` until the quota controller counted it).
pub fn describe_resource_quota(w: &mut PrefixWriter, q: &Value) {
    w.write(0, &format!("Name:\t{}\n", str_at(q, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", str_at(q, &["metadata", "namespace"])));
    let mut scopes: Vec<&str> = arr_at(q, &["spec", "scopes"]).iter().filter_map(Value::as_str).collect();
    if !scopes.is_empty() {
        scopes.stable_sort();
        w.write(0, &format!("Scopes:\t{}\n", scopes.join(", ")));
        for s in &scopes {
            let help = scope_help(s);
            if !help.is_empty() {
                w.write(0, &format!(" * {help}\n"));
            }
        }
    }
    w.write(0, "Resource\tUsed\tHard\n");
    w.write(0, "--------\t----\t----\n");
    for r in sorted_keys(q, &["status", "hard"]) {
        let used = canonical_text(q.get("status").and_then(|s| s.get("used")).and_then(|u| u.get(&r)));
        let hard = canonical_text(q.get("status").and_then(|s| s.get("hard")).and_then(|h| h.get(&r)));
        w.write(0, &format!("{r}\t{used}\t{hard}\n"));
    }
}

/// `DescribeResourceQuotas`.
fn resource_quotas(w: &mut PrefixWriter, quotas: &[Value]) {
    if quotas.is_empty() {
        w.write(0, "No resource quota.\n");
        return;
    }
    let mut sorted: Vec<&Value> = quotas.iter().collect();
    sorted.stable_sort_by(|a, b| str_at(a, &["metadata", "name"]).cmp(str_at(b, &["metadata", "name"])));
    w.write(0, "Resource Quotas\n");
    for q in sorted {
        w.write(1, &format!("Name:\t{}\n", str_at(q, &["metadata", "name"])));
        let mut scopes: Vec<&str> = arr_at(q, &["spec", "scopes"]).iter().filter_map(Value::as_str).collect();
        if !scopes.is_empty() {
            scopes.stable_sort();
            w.write(1, &format!("Scopes:\t{}\n", scopes.join(", ")));
            for s in &scopes {
                let help = scope_help(s);
                if !help.is_empty() {
                    w.write(1, &format!("* {help}\n"));
                }
            }
        }
        w.write(1, "Resource\tUsed\tHard\n");
        w.write(1, "--------\t---\t---\n");
        for r in sorted_keys(q, &["status", "hard"]) {
            let used = canonical_text(q.at(&format!("/status/used/{}", r.replace('~', "~0").replace('/', "~1"))));
            let hard = canonical_text(q.at(&format!("/status/hard/{}", r.replace('~', "~0").replace('/', "~1"))));
            w.write(1, &format!("{r}\t{used}\t{hard}\n"));
        }
    }
}

/// `DescribeLimitRanges` (resources sorted; Go iterates a map there).
fn limit_ranges(w: &mut PrefixWriter, ranges: &[Value]) {
    if ranges.is_empty() {
        w.write(0, "No LimitRange resource.\n");
        return;
    }
    w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    for lr in ranges {
        for item in arr_at(lr, &["spec", "limits"]) {
            let fields = ["min", "max", "defaultRequest", "default", "maxLimitRequestRatio"];
            let mut names: Vec<String> = fields.iter().flat_map(|f| sorted_keys(item, &[f])).collect();
            names.stable_sort();
            names.dedup();
            for name in names {
                let cell = |f: &str| {
                    item.get(f).and_then(|m| m.get(&name)).map_or("-".to_string(), |q| canonical_text(Some(q)))
                };
                w.write(
                    0,
                    &format!(
                        " {}\t{name}\t{}\t{}\t{}\t{}\t{}\n",
                        str_at(item, &["type"]),
                        cell("min"),
                        cell("max"),
                        cell("defaultRequest"),
                        cell("default"),
                        cell("maxLimitRequestRatio")
                    ),
                );
            }
        }
    }
}

/// Decoded length of a base64 value (how many bytes a Secret or binaryData entry holds).
fn decoded_len(v: &Value) -> usize {
    let s = v.as_str().unwrap_or("").trim_end();
    let pad = s.bytes().rev().take_while(|&b| b == b'=').count();
    (s.len() * 3 / 4).saturating_sub(pad)
}

/// Describes a ConfigMap: each key, a `----` rule and the value (keys sorted; Go's order is random).
pub fn describe_config_map(w: &mut PrefixWriter, cm: &Value, evs: Option<&[Value]>, ctx: &DescribeContext) {
    name_namespace(w, cm);
    labels_and_annotations(w, cm);
    w.write(0, "\nData\n====\n");
    for k in sorted_keys(cm, &["data"]) {
        w.write(0, &format!("{k}:\n----\n"));
        w.write(0, &format!("{}\n", str_at(cm, &["data", &k])));
        w.write(0, "\n");
    }
    w.write(0, "\nBinaryData\n====\n");
    for k in sorted_keys(cm, &["binaryData"]) {
        w.write(0, &format!("{k}: {} bytes\n", decoded_len(&cm["binaryData"][&k])));
    }
    w.write(0, "\n");
    events::describe_events(w, evs, ctx);
}

/// Describes a Secret: its type and the size of each value, never the values themselves
/// (except a service-account token).
pub fn describe_secret(w: &mut PrefixWriter, secret: &Value) {
    name_namespace(w, secret);
    labels_and_annotations(w, secret);
    let ty = str_at(secret, &["type"]);
    w.write(0, &format!("\nType:\t{ty}\n"));
    w.write(0, "\nData\n====\n");
    for k in sorted_keys(secret, &["data"]) {
        let v = &secret["data"][&k];
        if k == "token" && ty == "kubernetes.io/service-account-token" {
            w.write(0, &format!("{k}:\t{}\n", decode_base64(v.as_str().unwrap_or(""))));
        } else {
            w.write(0, &format!("{k}:\t{} bytes\n", decoded_len(v)));
        }
    }
}

/// Minimal standard base64 decoding to text (invalid input decodes to what it can).
fn decode_base64(s: &str) -> String {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for v in s.bytes().filter_map(val) {
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_lengths_and_tokens() {
        assert_eq!(decoded_len(&json!("AAEC")), 3);
        assert_eq!(decoded_len(&json!("YWJjZA==")), 4);
        assert_eq!(decoded_len(&json!(5)), 0);
        assert_eq!(decode_base64("aGVsbG8="), "hello");
    }

    #[test]
    fn secret_hides_values() {
        let s = json!({"metadata": {"name": "creds", "namespace": "default"}, "type": "Opaque", "data": {"password": "c2VjcmV0"}});
        let mut w = PrefixWriter::new();
        describe_secret(&mut w, &s);
        assert_eq!(
            w.finish(),
            "Name:         creds\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\npassword:  6 bytes\n"
        );
    }
}
