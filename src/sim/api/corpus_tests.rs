//! Runs every manifest of the shared corpus (`../shared/manifests`) through decode, strict
//! decoding, defaulting and validation, as `kubectl apply` would send them to a 1.33 apiserver.
//!
//! Built-in kinds of served versions must be accepted; CRD kinds, removed versions and files that
//! are not API objects must be refused with kubectl's words; nothing may panic.

use super::decode::{DecodeError, decode_documents};
use super::defaults::{apply_defaults, generate_job_selector, prepare_for_create};
use super::meta::{name, namespace, object_at};
use super::registry::for_kind;
use super::strict::check_strict;
use super::validation::validate;
use serde_json::{Value, json};

/// The outcome of one document, as a short line for the report.
fn admit(doc: &Value, file: &str) -> Result<String, String> {
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let rt =
        for_kind(api_version, kind).map_err(|e| e.mapping_message(name(doc), namespace(doc).unwrap_or(""), file))?;
    check_strict(rt, doc).map_err(|e| e.to_string())?;
    let mut obj = doc.clone();
    if rt.namespaced && namespace(&obj).is_none() {
        object_at(&mut obj, &["metadata"]).insert("namespace".into(), json!("default"));
    }
    apply_defaults(rt, &mut obj);
    object_at(&mut obj, &["metadata"]).insert("uid".into(), json!("0000-test-uid"));
    if rt.kind == "Job" {
        generate_job_selector(&mut obj, "0000-test-uid");
    }
    prepare_for_create(rt, &mut obj);
    validate(rt, &obj, None).map_err(|e| e.to_string())?;
    // Defaulting is idempotent: a second pass changes nothing.
    let mut again = obj.clone();
    apply_defaults(rt, &mut again);
    if again != obj {
        return Err(format!("defaulting {kind} twice changed it"));
    }
    Ok(format!("{kind} {} ok", name(doc)))
}

/// Kinds the corpus is expected to see refused, and why.
fn expected_refusal(path: &str, message: &str) -> bool {
    let not_served = message.contains("no matches for kind") && message.ends_with("ensure CRDs are installed first");
    let parse_error = message.starts_with("error parsing");
    (not_served
        && ["book/Chapter08", "book/Chapter09", "book/Chapter10/batch/dags", "book/Chapter10/streaming",
            "k8s-website/audit/", "k8s-website/pods/security/seccomp/kind.yaml", "k8s-website/policy/restricted-psp.yaml",
            "k8s-website/priority-and-fairness/", "k8s-website/validatingadmissionpolicy/", "k8s-website/controllers/replication.yaml"]
            .iter()
            .any(|p| path.starts_with(p) || path.contains(p)))
        || (parse_error && path.ends_with("failure-policy-ignore.yaml"))
        // A template meant for `sed s/$ITEM/.../`: the apiserver refuses the raw name.
        || (path.ends_with("job-tmpl.yaml") && message.starts_with("The Job \"process-item-$ITEM\" is invalid"))
}

#[test]
fn every_corpus_manifest_is_accepted_or_refused_like_kubectl() {
    let Some(dir) = crate::test_support::corpus_root() else { return };
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).expect("corpus_root found INDEX.tsv");
    let mut unexpected = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for path in index.lines().skip(1).filter_map(|l| l.split('\t').next()) {
        let Ok(text) = std::fs::read_to_string(dir.join(path)) else {
            unexpected.push(format!("{path}: unreadable"));
            continue;
        };
        let file = path.rsplit('/').next().unwrap_or(path);
        for doc in decode_documents(&text) {
            let outcome = match doc {
                Ok(d) => admit(&d.value, file),
                Err(e @ (DecodeError::Yaml { .. } | DecodeError::Json(_))) => Err(e.kubectl_message(file)),
                Err(e) => Err(e.kubectl_message(file)),
            };
            match outcome {
                Ok(line) => {
                    accepted += 1;
                    println!("ACCEPT {path}: {line}");
                }
                Err(msg) if expected_refusal(path, &msg) => {
                    refused += 1;
                    println!("REFUSE {path}: {}", msg.replace('\n', " | "));
                }
                Err(msg) => unexpected.push(format!("{path}: {msg}")),
            }
        }
    }
    println!("{accepted} documents accepted, {refused} refused as expected");
    assert!(unexpected.is_empty(), "unexpected outcomes:\n{}", unexpected.join("\n"));
    assert!(accepted > 150, "only {accepted} documents accepted");
}

#[test]
fn refusals_read_like_kubectl() {
    let doc = json!({"apiVersion": "sparkoperator.k8s.io/v1beta2", "kind": "SparkApplication",
        "metadata": {"name": "pyspark-pi", "namespace": "spark"}});
    assert_eq!(
        admit(&doc, "spark_job.yaml"),
        Err("resource mapping not found for name: \"pyspark-pi\" namespace: \"spark\" from \"spark_job.yaml\": \
             no matches for kind \"SparkApplication\" in version \"sparkoperator.k8s.io/v1beta2\"\nensure CRDs are installed first"
            .to_string())
    );
}
