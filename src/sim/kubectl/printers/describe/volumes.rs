//! Volumes, tolerations, taints and topology spread constraints as `describe` lists them.

use crate::sim::sort::StableSort;
use serde_json::Value;

use super::super::fields::{arr_at, at, bool_at, format_label_selector, i64_at, opt_bool, opt_i64, str_at};
use super::quantity::Quantity;
use super::writer::PrefixWriter;

/// `describeVolumes`: one block per volume; sources kubectl knows but the simulation does not
/// model print `<unknown>`.
pub fn describe_volumes(w: &mut PrefixWriter, volumes: &[Value], space: &str) {
    if volumes.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(1, &format!("{indent}{}:\n", str_at(v, &["name"])));
        let src = |k: &str| v.get(k).filter(|s| s.is_object());
        let optional = |s: &Value| opt_bool(s, &["optional"]).unwrap_or(false);
        if let Some(h) = src("hostPath") {
            let ty = at(h, &["type"]).and_then(Value::as_str).unwrap_or("<none>");
            w.write(
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{ty}\n",
                    str_at(h, &["path"])
                ),
            );
        } else if let Some(e) = src("emptyDir") {
            let size = e.get("sizeLimit").and_then(Quantity::parse_value).filter(|q| q.nanos > 0);
            let size = size.map(|q| q.to_canonical()).unwrap_or_else(|| "<unset>".into());
            w.write(
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                    str_at(e, &["medium"])
                ),
            );
        } else if let Some(s) = src("secret") {
            w.write(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    str_at(s, &["secretName"]),
                    optional(s)
                ),
            );
        } else if let Some(c) = src("configMap") {
            w.write(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    str_at(c, &["name"]),
                    optional(c)
                ),
            );
        } else if let Some(n) = src("nfs") {
            w.write(
                2,
                &format!(
                    "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                    str_at(n, &["server"]),
                    str_at(n, &["path"]),
                    bool_at(n, &["readOnly"])
                ),
            );
        } else if let Some(c) = src("persistentVolumeClaim") {
            w.write(
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    str_at(c, &["claimName"]),
                    bool_at(c, &["readOnly"])
                ),
            );
        } else if let Some(d) = src("downwardAPI") {
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
            for item in arr_at(d, &["items"]) {
                let path = str_at(item, &["path"]);
                if let Some(f) = item.get("fieldRef").filter(|f| f.is_object()) {
                    w.write(3, &format!("{} -> {path}\n", str_at(f, &["fieldPath"])));
                }
                if let Some(r) = item.get("resourceFieldRef").filter(|r| r.is_object()) {
                    w.write(3, &format!("{} -> {path}\n", str_at(r, &["resource"])));
                }
            }
        } else if let Some(p) = src("projected") {
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for s in arr_at(p, &["sources"]) {
                let part = |k: &str| s.get(k).filter(|x| x.is_object());
                if let Some(sec) = part("secret") {
                    w.write(2, &format!("SecretName:\t{}\n    Optional:\t{}\n", str_at(sec, &["name"]), optional(sec)));
                } else if part("downwardAPI").is_some() {
                    w.write(2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = part("configMap") {
                    w.write(
                        2,
                        &format!("ConfigMapName:\t{}\n    Optional:\t{}\n", str_at(cm, &["name"]), optional(cm)),
                    );
                } else if let Some(t) = part("serviceAccountToken") {
                    w.write(2, &format!("TokenExpirationSeconds:\t{}\n", i64_at(t, &["expirationSeconds"])));
                }
            }
        } else {
            w.write(2, "<unknown>\n");
        }
    }
}

/// `printTolerationsMultilineWithIndent`: sorted by key, `key=value:Effect op=Exists for 300s`.
pub fn tolerations(w: &mut PrefixWriter, title: &str, list: &[Value]) {
    w.write(0, &format!("{title}:\t"));
    if list.is_empty() {
        w.line("<none>");
        return;
    }
    let mut sorted: Vec<&Value> = list.iter().collect();
    sorted.stable_sort_by(|a, b| str_at(a, &["key"]).cmp(str_at(b, &["key"])));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let (key, value, effect) = (str_at(t, &["key"]), str_at(t, &["value"]), str_at(t, &["effect"]));
        let mut text = key.to_string();
        if !value.is_empty() {
            text.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            text.push_str(&format!(":{effect}"));
        }
        if str_at(t, &["operator"]) == "Exists" && value.is_empty() {
            text.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(s) = opt_i64(t, &["tolerationSeconds"]) {
            text.push_str(&format!(" for {s}s"));
        }
        w.write(0, &format!("{text}\n"));
    }
}

/// `printTaintsMultilineWithIndent`: sorted by `effect,key`, as `Taint.ToString()`.
pub fn taints(w: &mut PrefixWriter, title: &str, list: &[Value]) {
    w.write(0, &format!("{title}:\t"));
    if list.is_empty() {
        w.line("<none>");
        return;
    }
    let mut sorted: Vec<&Value> = list.iter().collect();
    sorted.stable_sort_by_key(|t| format!("{},{}", str_at(t, &["effect"]), str_at(t, &["key"])));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let (key, value, effect) = (str_at(t, &["key"]), str_at(t, &["value"]), str_at(t, &["effect"]));
        let text = match (value.is_empty(), effect.is_empty()) {
            (true, true) => key.to_string(),
            (false, true) => format!("{key}={value}:"),
            (true, false) => format!("{key}:{effect}"),
            (false, false) => format!("{key}={value}:{effect}"),
        };
        w.write(0, &format!("{text}\n"));
    }
}

/// `describeTopologySpreadConstraints`.
pub fn topology_spread(w: &mut PrefixWriter, pod_or_template: &Value, space: &str) {
    let mut list: Vec<&Value> = arr_at(pod_or_template, &["spec", "topologySpreadConstraints"]).iter().collect();
    if list.is_empty() {
        return;
    }
    list.stable_sort_by(|a, b| str_at(a, &["topologyKey"]).cmp(str_at(b, &["topologyKey"])));
    w.write(0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, c) in list.iter().enumerate() {
        if i != 0 {
            w.write(0, &format!("{space}\t"));
        }
        let mut text = format!(
            "{}:{} when max skew {} is exceeded",
            str_at(c, &["topologyKey"]),
            str_at(c, &["whenUnsatisfiable"]),
            i64_at(c, &["maxSkew"])
        );
        if let Some(sel) = c.get("labelSelector").filter(|s| s.is_object()) {
            text.push_str(&format!(" for selector {}", format_label_selector(Some(sel))));
        }
        w.write(0, &format!("{text}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tolerations_and_taints_format() {
        let mut w = PrefixWriter::new();
        tolerations(
            &mut w,
            "Tolerations",
            &[
                json!({"key": "b", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}),
                json!({"operator": "Exists"}),
                json!({"key": "a", "value": "v", "effect": "NoSchedule"}),
            ],
        );
        taints(&mut w, "Taints", &[json!({"key": "k", "value": "v"}), json!({"key": "x", "effect": "NoSchedule"})]);
        assert_eq!(
            w.finish(),
            "Tolerations:  op=Exists\n              a=v:NoSchedule\n              b:NoExecute op=Exists for 300s\nTaints:       k=v:\n              x:NoSchedule\n"
        );
    }

    #[test]
    fn unknown_and_empty_volumes() {
        let mut w = PrefixWriter::new();
        describe_volumes(&mut w, &[json!({"name": "x", "csi": {"driver": "d"}})], "");
        describe_volumes(&mut w, &[], "  ");
        assert_eq!(w.finish(), "Volumes:\n  x:\n    <unknown>\n  Volumes:  <none>\n");
    }
}
