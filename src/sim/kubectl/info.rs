//! Informational commands: `version`, `cluster-info`, `api-resources`, `api-versions`, `config view`.

use super::args::{self, FlagKind, flag};
use super::{Ctx, Output};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::metrics::{NODE_METRICS, POD_METRICS};
use crate::sim::sort::StableSort;

/// The client version shown; the server reports the Kubernetes minor the API types are pinned to.
pub const CLIENT_VERSION: &str = "v1.33.1";
pub const SERVER_VERSION: &str = "v1.33.1";

pub fn version(words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, &[flag("client", None, FlagKind::Bool), flag("output", Some('o'), FlagKind::Value)])
        .map_err(|e| format!("error: {e}"))?;
    out.out(format!("Client Version: {CLIENT_VERSION}\nKustomize Version: v5.6.0"));
    if !p.bool("client") {
        out.out(format!("Server Version: {SERVER_VERSION}"));
    }
    Ok(())
}

pub fn cluster_info(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    if words.first().map(String::as_str) == Some("dump") {
        return Err("error: cluster-info dump is not available in the sandbox; use `kubectl get all -A` and `kubectl get events -A`".into());
    }
    let _ = cx;
    out.out("Kubernetes control plane is running at https://127.0.0.1:6443\nCoreDNS is running at https://127.0.0.1:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
    Ok(())
}

pub fn api_resources(words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("namespaced", None, FlagKind::Value),
            flag("api-group", None, FlagKind::Value),
            flag("output", Some('o'), FlagKind::Value),
            flag("no-headers", None, FlagKind::Bool),
        ],
    )
    .map_err(|e| format!("error: {e}"))?;
    let mut seen = std::collections::BTreeSet::new();
    // The aggregated Metrics API too; kubectl prints the core group, then the others by name.
    let metrics: [&ResourceType; 2] = [&NODE_METRICS, &POD_METRICS];
    let mut served: Vec<&ResourceType> = api::resources().iter().chain(metrics).collect();
    served.stable_sort_by_key(|r| (!r.group.is_empty(), r.group));
    let rows: Vec<Vec<String>> = served
        .into_iter()
        // One row per resource: its preferred (first listed) version.
        .filter(|r| seen.insert((r.group, r.plural)))
        .filter(|r| p.get("namespaced").is_none_or(|n| (n == "true") == r.namespaced))
        .filter(|r| p.get("api-group").is_none_or(|g| g == r.group))
        .map(|r| {
            let av = if r.group.is_empty() { r.version.to_string() } else { format!("{}/{}", r.group, r.version) };
            vec![r.plural.to_string(), r.short_names.join(","), av, r.namespaced.to_string(), r.kind.to_string()]
        })
        .collect();
    if p.get("output") == Some("name") {
        for r in &rows {
            let rt = api::resources()
                .iter()
                .chain(metrics)
                .find(|x| x.plural == r[0] && x.kind == r[4])
                .expect("row came from the registry");
            out.out(if rt.group.is_empty() { rt.plural.to_string() } else { format!("{}.{}", rt.plural, rt.group) });
        }
        return Ok(());
    }
    let header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec();
    let mut all = Vec::new();
    if !p.bool("no-headers") {
        all.push(header);
    }
    all.extend(rows);
    out.stdout.push_str(&super::printers::align(&all));
    Ok(())
}

pub fn api_versions(_words: &[String], out: &mut Output) -> Result<(), String> {
    for v in api::api_versions() {
        out.out(v);
    }
    Ok(())
}

pub fn config(words: &[String], out: &mut Output) -> Result<(), String> {
    match words.first().map(String::as_str) {
        Some("view") => {
            out.out(KUBECONFIG);
            Ok(())
        }
        Some("current-context") => {
            out.out("kind-sandbox");
            Ok(())
        }
        Some("get-contexts") => {
            out.out("CURRENT   NAME           CLUSTER        AUTHINFO       NAMESPACE\n*         kind-sandbox   kind-sandbox   kind-sandbox   ");
            Ok(())
        }
        // kubeconfig has one context, so switching to it is all `use-context` can do
        // (`config/use_context.go`: a name the file lacks is refused).
        Some("use-context" | "use") => match words.get(1).map(String::as_str) {
            Some("kind-sandbox") => {
                out.out("Switched to context \"kind-sandbox\".");
                Ok(())
            }
            Some(name) => Err(format!("error: no context exists with the name: {name:?}")),
            None => {
                out.out(USE_CONTEXT_HELP);
                Err("error: Unexpected args: []".into())
            }
        },
        Some(other) => {
            Err(format!("error: the sandbox has one fixed kubeconfig; `kubectl config {other}` cannot change it"))
        }
        None => Err("error: specify a config subcommand: view, current-context, get-contexts".into()),
    }
}

/// What kubectl prints before refusing `config use-context` without a name.
const USE_CONTEXT_HELP: &str = "Set the current-context in a kubeconfig file.

Aliases:
use-context, use

Examples:
  # Use the context for the minikube cluster
  kubectl config use-context minikube

Usage:
  kubectl config use-context CONTEXT_NAME [options]

Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

/// What `kubectl config view` shows for the sandbox (secrets redacted, as kubectl does).
const KUBECONFIG: &str = "apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: https://127.0.0.1:6443
  name: kind-sandbox
contexts:
- context:
    cluster: kind-sandbox
    user: kind-sandbox
  name: kind-sandbox
current-context: kind-sandbox
kind: Config
preferences: {}
users:
- name: kind-sandbox
  user:
    client-certificate-data: DATA+OMITTED
    client-key-data: DATA+OMITTED";
