//! `kubectl scale`, `kubectl wait`, and the usage text.

use crate::sim::api::pointer::Pointer;
use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace, object_ref, targets};
use super::{Ctx, Output};
use crate::sim::apiserver::request::{ApiRequest, PatchType, Verb};

/// `kubectl` with no arguments (the commands this sandbox implements, in kubectl's layout).
pub const USAGE: &str = "kubectl controls the Kubernetes cluster manager.

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  events          List events

Advanced Commands:
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  wait            Experimental: Wait for a specific condition on one or many resources

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of \"group/version\"
  config          Modify kubeconfig files
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]";

pub fn scale(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(
        words,
        &[
            flag("replicas", None, FlagKind::Value),
            flag("current-replicas", None, FlagKind::Value),
            flag("selector", Some('l'), FlagKind::Value),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl scale --help' for usage."))?;
    let replicas: i64 = match p.get("replicas") {
        None => return Err("error: required flag(s) \"replicas\" not set".into()),
        Some(r) => r.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".to_string()
        })?,
    };
    let ns = namespace(&p);
    for (rt, names) in targets(&p.positional)? {
        if !crate::sim::apiserver::scale::served(rt) {
            out.err(format!("error: cannot scale {}", common::type_name(rt)));
            continue;
        }
        if names.is_empty() {
            return Err("error: resource(s) were provided, but no name was specified".into());
        }
        for name in names {
            // kubectl reads the object (its resource builder), then writes the scale subresource.
            let obj = match common::get_one(cx, rt, &ns, &name) {
                Ok(obj) => obj,
                Err(e) => {
                    out.err(e.to_string());
                    continue;
                }
            };
            if let Some(cur) = p.get("current-replicas") {
                let have = obj.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(1).to_string();
                if have != cur {
                    out.err(format!("error: Expected replicas to be {cur}, was {have}"));
                    continue;
                }
            }
            let req = ApiRequest::new(0, Verb::Patch(PatchType::Merge), rt)
                .in_namespace(Some(&ns))
                .named(&name)
                .on_subresource("scale")
                .with_body(json!({"spec": {"replicas": replicas}}));
            match cx.world.call(req) {
                Ok(_) => out.out(format!("{} scaled", object_ref(rt, &name))),
                Err(e) => out.err(e.to_string()),
            }
        }
    }
    Ok(())
}
