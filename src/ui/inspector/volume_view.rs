//! A claim or a volume in a line: its phase, its bound partner (a link to open it) and the node that
//! holds its data, read from the objects as `kubectl describe` would.

use serde_json::Value;
use yew::prelude::*;

use crate::ui::state::Selection;

/// What the inspector says about a PersistentVolumeClaim or PersistentVolume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSummary {
    /// `status.phase` (`Pending`, `Bound`, `Released`, ...).
    pub phase: String,
    /// The other side of the binding: its words (`volume pvc-…`, `claim default/data-web-0`) and key.
    pub partner: Option<(String, String)>,
    /// The node whose disk holds the data: the volume's node affinity, else the node the scheduler
    /// picked for a claim waiting for its first consumer (`volume.kubernetes.io/selected-node`).
    pub node: Option<String>,
    /// Where on that node (`hostPath` or `local` path).
    pub path: Option<String>,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The node named by a volume's required node affinity (`kubernetes.io/hostname In [node]`).
fn affinity_node(volume: &Value) -> Option<String> {
    let terms = volume.pointer("/spec/nodeAffinity/required/nodeSelectorTerms")?.as_array()?;
    terms.iter().flat_map(|t| t.get("matchExpressions").and_then(Value::as_array).into_iter().flatten()).find_map(|e| {
        (text(e, "/key") == Some("kubernetes.io/hostname") && text(e, "/operator") == Some("In"))
            .then(|| text(e, "/values/0").map(str::to_string))
            .flatten()
    })
}

fn path(volume: &Value) -> Option<String> {
    text(volume, "/spec/hostPath/path").or_else(|| text(volume, "/spec/local/path")).map(str::to_string)
}

impl VolumeSummary {
    /// The summary of `obj` (a claim or a volume; None for anything else). For a bound claim, `partner`
    /// is its volume, which knows the node.
    pub fn of(obj: &Value, partner: Option<&Value>) -> Option<Self> {
        let phase = text(obj, "/status/phase").unwrap_or("Pending").to_string();
        match obj.get("kind").and_then(Value::as_str)? {
            "PersistentVolumeClaim" => {
                let volume = text(obj, "/spec/volumeName");
                let selected = text(obj, "/metadata/annotations/volume.kubernetes.io~1selected-node");
                Some(Self {
                    phase,
                    partner: volume.map(|v| (format!("volume {v}"), format!("/registry/persistentvolumes/{v}"))),
                    node: partner.and_then(affinity_node).or_else(|| selected.map(str::to_string)),
                    path: partner.and_then(path),
                })
            }
            "PersistentVolume" => {
                let claim = text(obj, "/spec/claimRef/name")
                    .map(|n| (text(obj, "/spec/claimRef/namespace").unwrap_or("default"), n));
                Some(Self {
                    phase,
                    partner: claim.map(|(ns, n)| {
                        (format!("claim {ns}/{n}"), format!("/registry/persistentvolumeclaims/{ns}/{n}"))
                    }),
                    node: affinity_node(obj),
                    path: path(obj),
                })
            }
            _ => None,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct VolumeViewProps {
    pub summary: VolumeSummary,
    pub on_select: Callback<Selection>,
}

#[component(VolumeView)]
pub fn volume_view(props: &VolumeViewProps) -> Html {
    let s = &props.summary;
    let partner = s.partner.clone().map(|(words, key)| {
        let cb = props.on_select.clone();
        let open = Callback::from(move |_: MouseEvent| cb.emit(Selection::Object(key.clone())));
        html! { <>{ " to " }<button class="link" data-testid="volume-partner" onclick={open}>{ words }</button></> }
    });
    let node = match (&s.node, &s.path) {
        (Some(n), Some(p)) => format!(". Data on {n} at {p}."),
        (Some(n), None) => format!(". Data on {n}."),
        _ => ".".to_string(),
    };
    html! {
        <p class="state" data-testid="volume-summary" data-phase={s.phase.clone()}>
            <strong>{ s.phase.clone() }</strong>{ partner.unwrap_or_default() }{ node }
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn volume() -> Value {
        json!({"kind": "PersistentVolume", "metadata": {"name": "pvc-1"}, "spec": {
            "hostPath": {"path": "/var/local-path-provisioner/pvc-1_default_data"},
            "claimRef": {"namespace": "default", "name": "data"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": ["w2"]}]}]}}},
            "status": {"phase": "Bound"}})
    }

    #[test]
    fn claims_and_volumes_name_their_partner_and_node() {
        let claim = json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
            "spec": {"volumeName": "pvc-1"}, "status": {"phase": "Bound"}});
        let want = VolumeSummary {
            phase: "Bound".into(),
            partner: Some(("volume pvc-1".into(), "/registry/persistentvolumes/pvc-1".into())),
            node: Some("w2".into()),
            path: Some("/var/local-path-provisioner/pvc-1_default_data".into()),
        };
        assert_eq!(VolumeSummary::of(&claim, Some(&volume())), Some(want));
        let v = VolumeSummary::of(&volume(), None).expect("a volume");
        assert_eq!(v.partner.map(|p| p.1).as_deref(), Some("/registry/persistentvolumeclaims/default/data"));
        assert_eq!(v.node.as_deref(), Some("w2"));
        // A claim waiting for its first consumer: no volume yet, but the node the scheduler chose.
        let waiting = json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data",
            "annotations": {"volume.kubernetes.io/selected-node": "w1"}}, "spec": {}, "status": {"phase": "Pending"}});
        let s = VolumeSummary::of(&waiting, None).expect("a claim");
        assert_eq!((s.phase.as_str(), s.partner, s.node.as_deref()), ("Pending", None, Some("w1")));
        assert_eq!(VolumeSummary::of(&json!({"kind": "Pod"}), None), None);
    }
}
