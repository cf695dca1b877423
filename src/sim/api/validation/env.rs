//! Container environment: `env` names and `valueFrom` sources, and `envFrom`.

use super::names::{is_config_map_key, is_env_var_name};
use super::{Errs, child, index};
use crate::sim::api::meta::str_at;
use serde_json::Value;

const FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
const RESOURCE_FIELDS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

pub(super) fn validate_env(env: &[Value], path: &str, errs: &mut Errs) {
    for (j, ev) in env.iter().enumerate() {
        let ep = index(path, j);
        let name = str_at(ev, &["name"]).unwrap_or("");
        if name.is_empty() {
            errs.required(&child(&ep, "name"), "");
        } else {
            errs.each_invalid(&child(&ep, "name"), name, is_env_var_name(name));
        }
        let Some(from) = ev.get("valueFrom").filter(|v| !v.is_null()) else { continue };
        let fp = child(&ep, "valueFrom");
        let sources: Vec<&str> = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"]
            .into_iter()
            .filter(|s| from.get(*s).is_some_and(|v| !v.is_null()))
            .collect();
        match sources.len() {
            0 => errs.invalid_str(
                &fp,
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            ),
            1 => {}
            _ => errs.invalid_str(&fp, "", "may not have more than one field specified at a time"),
        }
        if str_at(ev, &["value"]).is_some_and(|v| !v.is_empty()) {
            errs.invalid_str(&fp, "", "may not be specified when `value` is not empty");
        }
        if let Some(fr) = from.get("fieldRef").filter(|v| !v.is_null()) {
            let fpath = str_at(fr, &["fieldPath"]).unwrap_or("");
            let labeled = (fpath.starts_with("metadata.labels['") || fpath.starts_with("metadata.annotations['"))
                && fpath.ends_with("']");
            let p = child(&child(&fp, "fieldRef"), "fieldPath");
            if fpath.is_empty() {
                errs.required(&p, "");
            } else if !labeled
                && !FIELD_PATHS.contains(&fpath)
                && fpath != "metadata.labels"
                && fpath != "metadata.annotations"
            {
                errs.unsupported(&p, fpath, FIELD_PATHS);
            }
        }
        if let Some(rf) = from.get("resourceFieldRef").filter(|v| !v.is_null()) {
            let res = str_at(rf, &["resource"]).unwrap_or("");
            let p = child(&child(&fp, "resourceFieldRef"), "resource");
            if res.is_empty() {
                errs.required(&p, "");
            } else if !RESOURCE_FIELDS.contains(&res) && !res.contains("hugepages-") {
                errs.unsupported(&p, res, RESOURCE_FIELDS);
            }
        }
        for source in ["configMapKeyRef", "secretKeyRef"] {
            let Some(r) = from.get(source).filter(|v| !v.is_null()) else { continue };
            let rp = child(&fp, source);
            if str_at(r, &["name"]).unwrap_or("").is_empty() {
                errs.required(&child(&rp, "name"), "");
            }
            match str_at(r, &["key"]).unwrap_or("") {
                "" => errs.required(&child(&rp, "key"), ""),
                k => errs.each_invalid(&child(&rp, "key"), k, is_config_map_key(k)),
            }
        }
    }
}

pub(super) fn validate_env_from(list: &[Value], path: &str, errs: &mut Errs) {
    for (j, e) in list.iter().enumerate() {
        let ep = index(path, j);
        let sources: Vec<&str> =
            ["configMapRef", "secretRef"].into_iter().filter(|s| e.get(*s).is_some_and(|v| !v.is_null())).collect();
        match sources.len() {
            0 => errs.invalid_str(&ep, "", "must specify one of: `configMapRef` or `secretRef`"),
            1 => {
                if str_at(e, &[sources[0], "name"]).unwrap_or("").is_empty() {
                    errs.required(&child(&child(&ep, sources[0]), "name"), "");
                }
            }
            _ => errs.invalid_str(&ep, "", "may not have more than one field specified at a time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(list: Value) -> Vec<String> {
        let mut errs = Errs::default();
        validate_env(list.as_array().map(Vec::as_slice).unwrap_or(&[]), "env", &mut errs);
        errs.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn value_from_sources() {
        assert!(env(json!([{"name": "A", "value": "1"}, {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory"}}},
            {"name": "K", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "special.how"}}}])).is_empty());
        assert_eq!(
            env(json!([{"name": "A", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])),
            ["env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"]
        );
        assert_eq!(
            env(
                json!([{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}, "secretKeyRef": {"name": "s", "key": "k"}}}])
            ),
            ["env[0].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"]
        );
        assert_eq!(
            env(json!([{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.hostname"}}}])),
            [
                "env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.hostname\": supported values: \"metadata.name\", \"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", \"status.podIPs\""
            ]
        );
        assert_eq!(env(json!([{"value": "x"}])), ["env[0].name: Required value"]);
    }

    #[test]
    fn env_from_sources() {
        let mut errs = Errs::default();
        validate_env_from(
            &[json!({"configMapRef": {"name": "a"}}), json!({}), json!({"secretRef": {}})],
            "envFrom",
            &mut errs,
        );
        let msgs: Vec<String> = errs.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "envFrom[1]: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
                "envFrom[2].secretRef.name: Required value"
            ]
        );
    }
}
