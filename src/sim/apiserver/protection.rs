//! The StorageObjectInUseProtection admission plugin (`plugin/pkg/admission/storage/storageobjectinuseprotection`):
//! every new claim gets the `kubernetes.io/pvc-protection` finalizer and every new volume the
//! `kubernetes.io/pv-protection` finalizer, so that deleting one in use only marks it; the protection
//! controllers remove the finalizer once nothing uses it.

use serde_json::{Value, json};

/// On claims (`volumeutil.PVCProtectionFinalizer`).
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
/// On volumes (`volumeutil.PVProtectionFinalizer`).
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

/// `Admit` on create: appends the kind's finalizer unless the object has it already.
pub fn admit(kind: &str, obj: &mut Value) {
    let finalizer = match kind {
        "PersistentVolumeClaim" => PVC_PROTECTION,
        "PersistentVolume" => PV_PROTECTION,
        _ => return,
    };
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { return };
    let list = meta.entry("finalizers").or_insert_with(|| json!([]));
    if !list.is_array() {
        // Validation answers for a malformed list; admission leaves it as it is.
        return;
    }
    if let Some(items) = list.as_array_mut()
        && !items.iter().any(|f| f.as_str() == Some(finalizer))
    {
        items.push(json!(finalizer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_and_volumes_get_their_finalizer_once() {
        let mut claim = json!({"metadata": {"name": "c"}});
        admit("PersistentVolumeClaim", &mut claim);
        admit("PersistentVolumeClaim", &mut claim);
        assert_eq!(claim["metadata"]["finalizers"], json!([PVC_PROTECTION]));
        let mut pv = json!({"metadata": {"name": "v", "finalizers": ["example.com/keep"]}});
        admit("PersistentVolume", &mut pv);
        assert_eq!(pv["metadata"]["finalizers"], json!(["example.com/keep", PV_PROTECTION]));
        let mut pod = json!({"metadata": {"name": "p"}});
        admit("Pod", &mut pod);
        assert!(pod["metadata"].get("finalizers").is_none());
    }
}
