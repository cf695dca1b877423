//! Describers for PersistentVolume, PersistentVolumeClaim and StorageClass, as kubectl 1.33's
//! `describePersistentVolume`, `describePersistentVolumeClaim` and `describeStorageClass` print them
//! (checked against kubectl 1.33 through `sandbox compare`, `tests/scripts/storage.sh`).

use serde_json::Value;

use super::super::fields::{arr_at, at, opt_str, str_at, string_map};
use super::quantity::canonical_text;
use super::writer::PrefixWriter;
use super::{DescribeContext, annotations_multiline, events, labels_multiline};
use crate::sim::api::meta;

/// `GetAccessModesAsString`: the short names, always in this order.
fn access_modes(list: &[Value]) -> String {
    let has = |m: &str| list.iter().any(|v| v.as_str() == Some(m));
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(long, _)| has(long))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

/// `%v` of a string list: `[a b]`.
fn go_list(obj: &Value, path: &[&str]) -> String {
    let items: Vec<&str> = arr_at(obj, path).iter().filter_map(Value::as_str).collect();
    format!("[{}]", items.join(" "))
}

/// `Status:` of a PV or PVC: the phase, or how long it has been terminating.
fn status_line(w: &mut PrefixWriter, obj: &Value, ctx: &DescribeContext) {
    match opt_str(obj, &["metadata", "deletionTimestamp"]) {
        Some(ts) => w.write(0, &format!("Status:\tTerminating (lasts {})\n", ctx.since(Some(ts)))),
        None => w.write(0, &format!("Status:\t{}\n", str_at(obj, &["status", "phase"]))),
    }
}

/// `printVolumeNodeAffinity`.
fn node_affinity(w: &mut PrefixWriter, pv: &Value) {
    w.write(0, "Node Affinity:\t");
    let Some(required) = at(pv, &["spec", "nodeAffinity", "required"]).filter(|r| r.is_object()) else {
        w.line("<none>");
        return;
    };
    w.line("");
    w.write(1, "Required Terms:\t");
    let terms = arr_at(required, &["nodeSelectorTerms"]);
    if terms.is_empty() {
        w.line("<none>");
        return;
    }
    w.line("");
    for (i, term) in terms.iter().enumerate() {
        w.write(2, &format!("Term {i}:\t"));
        let reqs = arr_at(term, &["matchExpressions"]);
        if reqs.is_empty() {
            w.line("<none>");
            continue;
        }
        for (j, req) in reqs.iter().enumerate() {
            if j != 0 {
                w.write(2, "\t");
            }
            let mut expr = format!("{} {}", str_at(req, &["key"]), str_at(req, &["operator"]).to_lowercase());
            let values: Vec<&str> = arr_at(req, &["values"]).iter().filter_map(Value::as_str).collect();
            if !values.is_empty() {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            w.write(0, &format!("{expr}\n"));
        }
    }
}

/// The `Source:` section for the volume types the sandbox's volumes use.
fn source(w: &mut PrefixWriter, pv: &Value) {
    let spec = |k: &str| at(pv, &["spec", k]).filter(|v| v.is_object());
    if let Some(h) = spec("hostPath") {
        let ty = opt_str(h, &["type"]).unwrap_or("<none>");
        w.write(
            2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{ty}\n",
                str_at(h, &["path"])
            ),
        );
    } else if let Some(l) = spec("local") {
        w.write(
            2,
            &format!(
                "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
                str_at(l, &["path"])
            ),
        );
    } else if let Some(n) = spec("nfs") {
        let ro = at(n, &["readOnly"]).and_then(Value::as_bool).unwrap_or(false);
        w.write(
            2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{ro}\n",
                str_at(n, &["server"]),
                str_at(n, &["path"])
            ),
        );
    } else {
        w.write(1, "<unknown>\n");
    }
}

/// `describePersistentVolume`.
pub fn describe_persistent_volume(w: &mut PrefixWriter, pv: &Value, ev: Option<&[Value]>, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(pv, &["metadata", "name"])));
    labels_multiline(w, "Labels", &string_map(pv, &["metadata", "labels"]));
    annotations_multiline(w, "Annotations", pv);
    w.write(0, &format!("Finalizers:\t{}\n", go_list(pv, &["metadata", "finalizers"])));
    w.write(0, &format!("StorageClass:\t{}\n", meta::storage_class(pv)));
    status_line(w, pv, ctx);
    let claim = match at(pv, &["spec", "claimRef"]).filter(|c| c.is_object()) {
        Some(c) => format!("{}/{}", str_at(c, &["namespace"]), str_at(c, &["name"])),
        None => String::new(),
    };
    w.write(0, &format!("Claim:\t{claim}\n"));
    w.write(0, &format!("Reclaim Policy:\t{}\n", str_at(pv, &["spec", "persistentVolumeReclaimPolicy"])));
    w.write(0, &format!("Access Modes:\t{}\n", access_modes(arr_at(pv, &["spec", "accessModes"]))));
    if let Some(mode) = opt_str(pv, &["spec", "volumeMode"]) {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    w.write(0, &format!("Capacity:\t{}\n", canonical_text(at(pv, &["spec", "capacity", "storage"]))));
    node_affinity(w, pv);
    w.write(0, &format!("Message:\t{}\n", str_at(pv, &["status", "message"])));
    w.write(0, "Source:\n");
    source(w, pv);
    events::describe_events(w, ev, ctx);
}

/// `describePersistentVolumeClaim`; `ctx.pods` are the namespace's pods (those using the claim are listed).
pub fn describe_persistent_volume_claim(
    w: &mut PrefixWriter,
    pvc: &Value,
    ev: Option<&[Value]>,
    ctx: &DescribeContext,
) {
    let name = str_at(pvc, &["metadata", "name"]);
    w.write(0, &format!("Name:\t{name}\n"));
    w.write(0, &format!("Namespace:\t{}\n", str_at(pvc, &["metadata", "namespace"])));
    w.write(0, &format!("StorageClass:\t{}\n", meta::storage_class(pvc)));
    status_line(w, pvc, ctx);
    let volume = str_at(pvc, &["spec", "volumeName"]);
    w.write(0, &format!("Volume:\t{volume}\n"));
    labels_multiline(w, "Labels", &string_map(pvc, &["metadata", "labels"]));
    annotations_multiline(w, "Annotations", pvc);
    w.write(0, &format!("Finalizers:\t{}\n", go_list(pvc, &["metadata", "finalizers"])));
    // Capacity and access modes are the bound volume's, shown only once a volume is named.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            canonical_text(at(pvc, &["status", "capacity", "storage"])),
            access_modes(arr_at(pvc, &["status", "accessModes"])),
        )
    };
    w.write(0, &format!("Capacity:\t{capacity}\n"));
    w.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = opt_str(pvc, &["spec", "volumeMode"]) {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    if let Some(ds) = at(pvc, &["spec", "dataSource"]).filter(|d| d.is_object()) {
        w.write(0, "DataSource:\n");
        if let Some(g) = opt_str(ds, &["apiGroup"]) {
            w.write(1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", str_at(ds, &["kind"])));
        w.write(1, &format!("Name:\t{}\n", str_at(ds, &["name"])));
    }
    // `getPodsForPVC`: pods with a volume of this claim, sorted by name.
    let mut users: Vec<&str> = ctx
        .pods
        .iter()
        .filter(|p| {
            arr_at(p, &["spec", "volumes"])
                .iter()
                .any(|v| opt_str(v, &["persistentVolumeClaim", "claimName"]) == Some(name))
        })
        .map(|p| str_at(p, &["metadata", "name"]))
        .collect();
    users.sort_unstable();
    w.write(0, "Used By:\t");
    if users.is_empty() {
        w.line("<none>");
    }
    for (i, u) in users.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{u}\n"));
    }
    events::describe_events(w, ev, ctx);
}

/// `labels.FormatLabels`: sorted `k=v` joined by commas, or `<none>`.
fn format_labels(obj: &Value, path: &[&str]) -> String {
    let pairs = string_map(obj, path);
    if pairs.is_empty() {
        return "<none>".into();
    }
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// `describeStorageClass`.
pub fn describe_storage_class(w: &mut PrefixWriter, sc: &Value, ev: Option<&[Value]>, ctx: &DescribeContext) {
    w.write(0, &format!("Name:\t{}\n", str_at(sc, &["metadata", "name"])));
    let annotation = |k: &str| opt_str(sc, &["metadata", "annotations", k]);
    let default = annotation("storageclass.kubernetes.io/is-default-class") == Some("true")
        || annotation("storageclass.beta.kubernetes.io/is-default-class") == Some("true");
    w.write(0, &format!("IsDefaultClass:\t{}\n", if default { "Yes" } else { "No" }));
    w.write(0, &format!("Annotations:\t{}\n", format_labels(sc, &["metadata", "annotations"])));
    w.write(0, &format!("Provisioner:\t{}\n", str_at(sc, &["provisioner"])));
    w.write(0, &format!("Parameters:\t{}\n", format_labels(sc, &["parameters"])));
    let expansion = match at(sc, &["allowVolumeExpansion"]).and_then(Value::as_bool) {
        None => "<unset>",
        Some(true) => "True",
        Some(false) => "False",
    };
    w.write(0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    let options = arr_at(sc, &["mountOptions"]);
    if options.is_empty() {
        w.write(0, "MountOptions:\t<none>\n");
    } else {
        w.write(0, "MountOptions:\n");
        for o in options.iter().filter_map(Value::as_str) {
            w.write(1, &format!("{o}\n"));
        }
    }
    if let Some(p) = opt_str(sc, &["reclaimPolicy"]) {
        w.write(0, &format!("ReclaimPolicy:\t{p}\n"));
    }
    if let Some(m) = opt_str(sc, &["volumeBindingMode"]) {
        w.write(0, &format!("VolumeBindingMode:\t{m}\n"));
    }
    events::describe_events(w, ev, ctx);
}
