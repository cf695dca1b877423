//! Bodies that kubectl 1.33's `create` subcommands really sent (captured from `sandbox serve`), decoded.

use super::*;

fn decoded(file: &str) -> Value {
    let path = format!("{}/src/sim/http/protobuf/testdata/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn kubectl_create_bodies_decode_to_their_json() {
    let ns = decoded("v1_namespaces.pb");
    assert_eq!(
        ns,
        json!({"metadata": {"name": "jokes"}, "spec": {}, "status": {}, "apiVersion": "v1", "kind": "Namespace"})
    );

    let d = decoded("apps_v1_deployments.pb");
    assert_eq!((d["apiVersion"].as_str(), d["kind"].as_str()), (Some("apps/v1"), Some("Deployment")));
    assert_eq!(d["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(d["spec"]["replicas"], 0, "a pointer field: zero is kept");
    assert_eq!(d["spec"]["selector"]["matchLabels"], json!({"app": "web"}));
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!((c["name"].as_str(), c["image"].as_str()), (Some("nginx"), Some("nginx:1.27")));
    assert_eq!(c["ports"], json!([{"containerPort": 80}]));
    assert!(c.get("imagePullPolicy").is_none(), "empty strings are left out, as JSON would");

    let cm = decoded("v1_configmaps.pb");
    assert_eq!(cm["data"], json!({"a": "1", "b": "two"}));
    let secret = decoded("v1_secrets.pb");
    assert_eq!(secret["data"], json!({"password": "aHVudGVyMg=="}), "bytes are base64 as in JSON");
    let svc = decoded("v1_services.pb");
    assert_eq!(svc["spec"]["type"], "NodePort");
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], 8080, "an IntOrString holding an int");
    let job = decoded("batch_v1_jobs.pb");
    assert_eq!(job["spec"]["template"]["spec"]["containers"][0]["command"], json!(["sh", "-c", "echo hi"]));
    let cron = decoded("batch_v1_cronjobs.pb");
    assert_eq!(cron["spec"]["schedule"], "*/5 * * * *");
    let quota = decoded("v1_resourcequotas.pb");
    assert_eq!(quota["spec"]["hard"], json!({"cpu": "1", "pods": "2"}), "Quantities are strings");
    let pdb = decoded("policy_v1_poddisruptionbudgets.pb");
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    let pc = decoded("scheduling_v1_priorityclasses.pb");
    assert_eq!((pc["value"].as_i64(), pc["description"].as_str()), (Some(1000), Some("x")));
    let role = decoded("rbac_v1_roles.pb");
    assert_eq!(role["rules"][0]["verbs"], json!(["get"]));
    let ing = decoded("networking_v1_ingresses.pb");
    assert_eq!(ing["spec"]["rules"][0]["host"], "foo.com");
    assert_eq!(ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["number"], 8080);
    assert!(decoded("v1_serviceaccounts.pb")["metadata"]["name"] == "robot");
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    assert!(decode(b"{}").is_err(), "no magic");
    assert!(decode(b"k8s\0\x0a\xff").is_err(), "truncated");
    let mut bytes =
        std::fs::read(format!("{}/src/sim/http/protobuf/testdata/apps_v1_deployments.pb", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture");
    for cut in 4..bytes.len() {
        let _ = decode(&bytes[..cut]);
    }
    for i in 4..bytes.len() {
        bytes[i] ^= 0x5a;
        let _ = decode(&bytes);
    }
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_735_689_600), "2025-01-01T00:00:00Z");
    assert_eq!(base64(b"hunter2"), "aHVudGVyMg==");
}
