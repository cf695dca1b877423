//! Storage in the browser: a StatefulSet's claim is provisioned by kind's local-path-provisioner on the
//! node its pod was scheduled to; the pod's chip wears a volume badge, and the badge opens the claim in
//! the inspector (Bound, its volume, the node that holds the data), whose volume opens in turn.

use std::time::Duration;

use serde_json::Value;

use super::diagnose;
use super::scenarios::{SETTLE, click, poll, shot, start};

const WEB: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        volumeMounts:
        - {name: data, mountPath: /usr/share/nginx/html}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
";

fn js(site: &super::Site, script: &str, args: Vec<Value>) -> Value {
    site.session.execute(script, args).unwrap_or_else(|e| panic!("the script runs: {e}\n{}", diagnose(site)))
}

/// Puts `yaml` in the editor and presses Apply.
pub(super) fn apply(site: &super::Site, yaml: &str) {
    let set = "const t = document.querySelector('[data-testid=editor] textarea'); t.value = arguments[0]; \
               t.dispatchEvent(new InputEvent('input', {bubbles: true}));";
    js(site, set, vec![Value::from(yaml)]);
    click(site, "apply");
}

/// web-0's chip: (status, claims on its badge, the node it is drawn in).
fn web_0(site: &super::Site) -> (String, String, String) {
    let script = "const p = document.querySelector('[data-testid=pod][data-name=\"web-0\"]'); if (!p) return ['', '', '']; \
                  const b = p.querySelector('[data-testid=pod-volume]'); const n = p.closest('[data-testid=node]'); \
                  return [p.dataset.status || '', b ? b.dataset.claims : '', n ? n.dataset.name : ''];";
    let v = js(site, script, vec![]);
    let field = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    (field(0), field(1), field(2))
}

fn inspector(site: &super::Site) -> String {
    let el =
        site.session.find("[data-testid=inspector]").expect("finding works").expect("the inspector is on the page");
    site.session.text(&el).expect("the inspector has text")
}

#[test]
fn a_provisioned_claim_is_seen_bound_from_its_pods_badge() {
    let Some(site) = start("a_provisioned_claim_is_seen_bound_from_its_pods_badge") else {
        return;
    };
    apply(&site, WEB);
    click(&site, "speed-max");
    let running = poll(SETTLE, || {
        let (status, claims, node) = web_0(&site);
        status == "Running" && claims == "data-web-0" && node.starts_with("sandbox-worker")
    });
    assert!(running, "web-0 never ran with its volume badge: {:?}\n{}", web_0(&site), diagnose(&site));
    click(&site, "pause");
    let (_, _, node) = web_0(&site);
    js(
        &site,
        "document.querySelector('[data-testid=pod][data-name=\"web-0\"]').scrollIntoView({block: 'center'});",
        vec![],
    );
    shot(&site, "storage-pod-badge");

    let badge = site
        .session
        .find("[data-testid=pod][data-name=\"web-0\"] [data-testid=pod-volume]")
        .expect("finding works")
        .expect("the badge is drawn");
    site.session.click(&badge).expect("clicking works");
    let summary = site
        .session
        .wait_for("[data-testid=volume-summary][data-phase=Bound]", Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("the claim never showed Bound: {e}\n{}", diagnose(&site)));
    let text = site.session.text(&summary).expect("the summary has text");
    assert!(inspector(&site).contains("PersistentVolumeClaim data-web-0"), "{}", inspector(&site));
    assert!(
        text.contains("to volume pvc-")
            && text.contains(&format!("Data on {node} at /var/local-path-provisioner/pvc-")),
        "{text}"
    );
    shot(&site, "storage-claim-bound");

    click(&site, "volume-partner");
    let opened = poll(Duration::from_secs(10), || {
        let t = inspector(&site);
        t.contains("PersistentVolume pvc-") && t.contains("to claim default/data-web-0")
    });
    assert!(opened, "the volume did not open from its claim: {}\n{}", inspector(&site), diagnose(&site));
    shot(&site, "storage-volume");
}
