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
  attach          Attach to a running container
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
            flag("replicas", None, FlagKind::Int),
            flag("current-replicas", None, FlagKind::Int),
            flag("selector", Some('l'), FlagKind::Value),
        ],
    )
    .map_err(|e| format!("error: {e}\nSee 'kubectl scale --help' for usage."))?;
    let replicas: i64 = match p.int("replicas") {
        None => return Err("error: required flag(s) \"replicas\" not set".into()),
        Some(r) => Some(r).filter(|n| *n >= 0).ok_or_else(|| {
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".to_string()
        })?,
    };
    if p.int("current-replicas").is_some_and(|c| c < -1) {
        return Err("error: The --current-replicas must specify an integer of -1 or greater".into());
    }
    let ns = namespace(&p);
    // kubectl's resource builder reads every object first (`r.Infos()`), then scales those it
    // found; the objects it could not read are reported at the end (`scale.go` `RunScale`).
    let mut infos = Vec::new();
    let mut missing = Vec::new();
    for (rt, names) in targets(&p.positional)? {
        if !crate::sim::apiserver::scale::served(rt) {
            out.err(format!("error: cannot scale {}", common::type_name(rt)));
            continue;
        }
        if names.is_empty() {
            return Err("error: resource(s) were provided, but no name was specified".into());
        }
        for name in names {
            match common::get_one(cx, rt, &ns, &name) {
                Ok(obj) => infos.push((rt, name, obj)),
                Err(e) => missing.push(e),
            }
        }
    }
    if infos.is_empty() {
        // `fmt.Errorf("no objects passed to scale %v", infoErr)`: the errors' own messages, an
        // aggregate of several in brackets.
        let why = match missing.as_slice() {
            [] => String::new(),
            [one] => format!(" {}", one.message),
            many => format!(" [{}]", many.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(", ")),
        };
        return Err(format!("error: no objects passed to scale{why}"));
    }
    for (rt, name, _) in infos {
        let scale =
            |verb: Verb| ApiRequest::new(0, verb, rt).in_namespace(Some(&ns)).named(&name).on_subresource("scale");
        // The first failure ends the command (`RunScale` returns it), as does a failed write.
        let req = match p.int("current-replicas").filter(|c| *c != -1) {
            // With a precondition the scaler reads the Scale, checks it and writes it back with PUT
            // (`scale.go` `ScaleSimple`); without one it sends a merge patch.
            Some(want) => {
                let mut current = cx.world.call(scale(Verb::Get)).map_err(|e| e.to_string())?;
                let have = current.at("/spec/replicas").and_then(Value::as_i64).unwrap_or(0);
                if have != want {
                    return Err(format!("error: Expected replicas to be {want}, was {have}"));
                }
                current["spec"]["replicas"] = json!(replicas);
                scale(Verb::Update).with_body(current)
            }
            None => scale(Verb::Patch(PatchType::Merge)).with_body(json!({"spec": {"replicas": replicas}})),
        };
        cx.world.call(req).map_err(|e| e.to_string())?;
        out.out(format!("{} scaled", object_ref(rt, &name)));
    }
    for e in missing {
        out.err(e.to_string());
    }
    Ok(())
}
