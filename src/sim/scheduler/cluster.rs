//! The scheduler's cache of the cluster (upstream `internal/cache`): nodes with the pods placed on them,
//! pods that are only *assumed* there (bound in the scheduler's mind, binding still in flight), and small
//! indexes that keep the hot path cheap.
//!
//! ```text
//!   watch pods/nodes ──► set_pod / set_node ──► NodeInfo totals (+ ClusterEvent for the queue)
//!   cycle picks node ──► assume(pod, node)  ──► next pod already sees it
//!   binding fails    ──► forget(pod)        ──► resources freed again
//! ```
//! Nodes keep the order they arrived in; a removed node's slot is filled by the last one. Pods whose
//! node is unknown (the pod's watch event came first) wait as orphans until the node appears.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::fasthash::FastMap;
use super::framework::ClusterEvent;
use super::nodeinfo::{NodeInfo, NodeSpec};
use super::podinfo::{PodInfo, PodKey};
use super::volumes::Volumes;

/// A pod the scheduler knows, and where it is counted.
#[derive(Debug, Clone)]
pub struct PodEntry {
    /// The latest parsed copy from the watch.
    pub info: Arc<PodInfo>,
    /// The node the pod is counted on (bound, or assumed).
    pub node: Option<Arc<str>>,
    /// Placed by this scheduler while its binding is in flight.
    pub assumed: bool,
}

/// The cache.
#[derive(Debug, Default, Clone)]
pub struct Cluster {
    nodes: Vec<NodeInfo>,
    /// Node name -> position in `nodes` (looked up on every pod placement).
    index: FastMap<Arc<str>, usize>,
    pods: BTreeMap<PodKey, Box<PodEntry>>,
    orphans: BTreeMap<Arc<str>, Vec<Arc<PodInfo>>>,
    image_nodes: BTreeMap<String, u32>,
    /// Controller uid -> node -> number of its placed pods (default topology spreading).
    by_controller: BTreeMap<String, BTreeMap<Arc<str>, u32>>,
    /// Placed pods that carry pod (anti-)affinity terms.
    with_affinity: BTreeSet<PodKey>,
    /// Node -> unscheduled pods nominated to it by preemption.
    nominated: BTreeMap<Arc<str>, BTreeSet<PodKey>>,
    /// Claims and StorageClasses, for VolumeBinding.
    volumes: Volumes,
}

impl Cluster {
    /// Claims and StorageClasses as the scheduler's informers have them.
    pub fn volumes(&self) -> &Volumes {
        &self.volumes
    }

    pub fn volumes_mut(&mut self) -> &mut Volumes {
        &mut self.volumes
    }

    /// Every node, in arrival order (the order the cycle walks them).
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    /// A node by name (a hash lookup: this runs for every placement).
    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.index.get(name).map(|&i| &self.nodes[i])
    }

    /// A pod the scheduler knows, scheduled or not.
    pub fn pod(&self, key: &PodKey) -> Option<&PodEntry> {
        self.pods.get(key).map(|p| &**p)
    }

    /// Every known pod, in key order.
    pub fn pods(&self) -> impl Iterator<Item = &PodEntry> {
        self.pods.values().map(|p| &**p)
    }

    /// How many nodes have this (normalized) image: ImageLocality damps images present everywhere.
    pub fn image_spread(&self, image: &str) -> u32 {
        self.image_nodes.get(image).copied().unwrap_or(0)
    }

    /// Where the pods of one controller run: node -> count (default topology spreading reads it).
    pub fn controller_pods(&self, uid: &str) -> Option<&BTreeMap<Arc<str>, u32>> {
        self.by_controller.get(uid)
    }

    /// Placed pods with pod (anti-)affinity terms, with the node they are on.
    pub fn pods_with_affinity(&self) -> impl Iterator<Item = (&Arc<PodInfo>, &NodeInfo)> {
        self.with_affinity.iter().filter_map(|k| {
            let e = self.pods.get(k)?;
            Some((&e.info, self.node(e.node.as_deref()?)?))
        })
    }

    /// Unscheduled pods nominated to `node`.
    pub fn nominated_on<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Arc<PodInfo>> + 'a {
        self.nominated.get(node).into_iter().flatten().filter_map(|k| self.pods.get(k).map(|e| &e.info))
    }

    /// Forgets everything (a restarted scheduler rebuilds its cache from the watches).
    pub fn clear(&mut self) {
        *self = Cluster::default();
    }

    /// Adds or updates a node. Returns the event it means for unschedulable pods, if any.
    pub fn set_node(&mut self, spec: NodeSpec) -> Option<ClusterEvent> {
        if let Some(&i) = self.index.get(&*spec.name) {
            let old = self.nodes[i].node.clone();
            let event = ClusterEvent::NodeUpdate {
                labels: old.labels != spec.labels,
                taints: old.taints != spec.taints,
                allocatable: old.allocatable != spec.allocatable,
                unschedulable: old.unschedulable != spec.unschedulable,
                images: old.images != spec.images,
            };
            if event
                == (ClusterEvent::NodeUpdate {
                    labels: false,
                    taints: false,
                    allocatable: false,
                    unschedulable: false,
                    images: false,
                })
            {
                return None;
            }
            self.count_images(&old, -1);
            self.count_images(&spec, 1);
            self.nodes[i].node = Arc::new(spec);
            return Some(event);
        }
        self.count_images(&spec, 1);
        let spec = Arc::new(spec);
        let mut info = NodeInfo::new(spec.clone());
        for pod in self.orphans.remove(&*spec.name).unwrap_or_default() {
            info.add_pod(pod);
        }
        self.index.insert(spec.name.clone(), self.nodes.len());
        self.nodes.push(info);
        Some(ClusterEvent::NodeAdd)
    }

    /// Removes a node; its pods stay known (as orphans) until their own deletion arrives.
    pub fn remove_node(&mut self, name: &str) -> Option<ClusterEvent> {
        let i = self.index.remove(name)?;
        let info = self.nodes.swap_remove(i);
        if let Some(moved) = self.nodes.get(i) {
            self.index.insert(moved.node.name.clone(), i);
        }
        self.count_images(&info.node, -1);
        if !info.pods.is_empty() {
            self.orphans.insert(info.node.name.clone(), info.pods);
        }
        Some(ClusterEvent::NodeDelete)
    }

    fn count_images(&mut self, spec: &NodeSpec, delta: i64) {
        for (name, _) in &spec.images {
            let n = self.image_nodes.entry(name.clone()).or_default();
            *n = (i64::from(*n) + delta).max(0) as u32;
            if *n == 0 {
                self.image_nodes.remove(name);
            }
        }
    }

    /// Adds or updates a pod from the watch. Bound pods are counted on their node (confirming an
    /// assumed placement); finished pods are forgotten like deleted ones.
    pub fn set_pod(&mut self, info: PodInfo) -> Option<ClusterEvent> {
        let key = info.key();
        if info.terminal {
            return self.remove_pod(&key);
        }
        self.unnominate(&key);
        if info.node_name.is_empty() && !info.nominated_node_name.is_empty() {
            self.nominate(&key, &info.nominated_node_name);
        }
        let info = Arc::new(info);
        let (old_node, old_labels_differ) = match self.pods.get(&key) {
            Some(e) => (e.node.clone(), e.info.labels != info.labels),
            None => (None, false),
        };
        match (old_node, info.node_name.is_empty()) {
            // Still unscheduled, or assumed while the binding is in flight: only the stored copy changes.
            (None, true) | (Some(_), true) => {
                let e = self
                    .pods
                    .entry(key)
                    .or_insert_with(|| Box::new(PodEntry { info: info.clone(), node: None, assumed: false }));
                e.info = info;
                None
            }
            (Some(node), false) if *node == *info.node_name => {
                self.unplace(&key, &node);
                self.place(&key, info.clone(), &node);
                self.pods.insert(key, Box::new(PodEntry { info, node: Some(node), assumed: false }));
                old_labels_differ.then_some(ClusterEvent::AssignedPodUpdate)
            }
            (old, false) => {
                if let Some(node) = old {
                    self.unplace(&key, &node);
                }
                let node: Arc<str> = Arc::from(info.node_name.as_str());
                self.place(&key, info.clone(), &node);
                self.pods.insert(key, Box::new(PodEntry { info, node: Some(node), assumed: false }));
                Some(ClusterEvent::AssignedPodAdd)
            }
        }
    }

    /// Forgets a pod. Returns `AssignedPodDelete` when it freed room on a node.
    pub fn remove_pod(&mut self, key: &PodKey) -> Option<ClusterEvent> {
        self.unnominate(key);
        let entry = self.pods.remove(key)?;
        let node = entry.node?;
        self.unplace(key, &node);
        Some(ClusterEvent::AssignedPodDelete)
    }

    /// Counts an unscheduled pod on `node` before its binding is confirmed (`Cache.AssumePod`).
    pub fn assume(&mut self, key: &PodKey, node: &str) -> bool {
        let Some(&i) = self.index.get(node) else { return false };
        let Some(entry) = self.pods.get(key).filter(|e| e.node.is_none()) else { return false };
        let info = entry.info.clone();
        let name = self.nodes[i].node.name.clone();
        self.unnominate(key);
        self.place(key, info, &name);
        let e = self.pods.get_mut(key).expect("the entry was found above");
        e.node = Some(name);
        e.assumed = true;
        true
    }

    /// Undoes `assume` after a failed binding (`Cache.ForgetPod`). Returns whether room was freed.
    pub fn forget(&mut self, key: &PodKey) -> bool {
        let Some(node) = self.pods.get(key).filter(|e| e.assumed).and_then(|e| e.node.clone()) else { return false };
        self.unplace(key, &node);
        let e = self.pods.get_mut(key).expect("the entry was found above");
        e.node = None;
        e.assumed = false;
        true
    }

    /// Records that preemption nominated `node` for the pod (`AddNominatedPod`).
    pub fn nominate(&mut self, key: &PodKey, node: &str) {
        self.nominated.entry(Arc::from(node)).or_default().insert(key.clone());
    }

    fn unnominate(&mut self, key: &PodKey) {
        self.nominated.retain(|_, set| {
            set.remove(key);
            !set.is_empty()
        });
    }

    fn place(&mut self, key: &PodKey, info: Arc<PodInfo>, node: &Arc<str>) {
        if let Some(uid) = &info.controller_uid {
            *self.by_controller.entry(uid.clone()).or_default().entry(node.clone()).or_default() += 1;
        }
        if !info.affinity.is_empty() {
            self.with_affinity.insert(key.clone());
        }
        match self.index.get(node) {
            Some(&i) => self.nodes[i].add_pod(info),
            None => self.orphans.entry(node.clone()).or_default().push(info),
        }
    }

    fn unplace(&mut self, key: &PodKey, node: &str) {
        let removed = match self.index.get(node) {
            Some(&i) => self.nodes[i].remove_pod(&key.0, &key.1),
            None => self.orphans.get_mut(node).and_then(|v| {
                let at = v.iter().position(|p| p.namespace == key.0 && p.name == key.1)?;
                Some(v.swap_remove(at))
            }),
        };
        self.with_affinity.remove(key);
        let Some(uid) = removed.and_then(|p| p.controller_uid.clone()) else { return };
        if let Some(per_node) = self.by_controller.get_mut(&uid) {
            if let Some(n) = per_node.get_mut(node) {
                *n -= 1;
                if *n == 0 {
                    per_node.remove(node);
                }
            }
            if per_node.is_empty() {
                self.by_controller.remove(&uid);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, image: &str) -> NodeSpec {
        NodeSpec::parse(&json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "status": {"allocatable": {"cpu": "2", "memory": "2Gi", "pods": "110"}, "images": [{"names": [image], "sizeBytes": 1}]}}))
    }

    fn pod(name: &str, node: &str, owner: &str) -> PodInfo {
        PodInfo::parse(&json!({"metadata": {"namespace": "default", "name": name, "labels": {"app": "web"},
                "ownerReferences": [{"uid": owner, "controller": true}]},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "500m"}}}]}}))
    }

    fn key(name: &str) -> PodKey {
        ("default".into(), name.into())
    }

    #[test]
    fn nodes_events_and_unchanged_updates() {
        let mut c = Cluster::default();
        assert_eq!(c.set_node(node("a", "nginx")), Some(ClusterEvent::NodeAdd));
        assert_eq!(c.set_node(node("a", "nginx")), None, "a heartbeat-only update is not an event");
        let mut cordoned = node("a", "nginx");
        cordoned.unschedulable = true;
        assert!(matches!(
            c.set_node(cordoned),
            Some(ClusterEvent::NodeUpdate { unschedulable: true, labels: false, .. })
        ));
        c.set_node(node("b", "nginx"));
        c.set_node(node("c", "redis"));
        assert_eq!(c.image_spread("nginx:latest"), 2);
        assert_eq!(c.remove_node("a"), Some(ClusterEvent::NodeDelete));
        assert_eq!(c.remove_node("a"), None);
        assert_eq!(c.nodes().iter().map(|n| n.name().to_string()).collect::<Vec<_>>(), ["c", "b"]);
        assert_eq!(c.node("c").map(|n| n.name()), Some("c"));
        assert_eq!(c.image_spread("nginx:latest"), 1);
    }

    #[test]
    fn bound_pods_count_on_nodes_and_orphans_wait_for_theirs() {
        let mut c = Cluster::default();
        assert_eq!(c.set_pod(pod("early", "late-node", "rs1")), Some(ClusterEvent::AssignedPodAdd));
        c.set_node(node("late-node", "nginx"));
        assert_eq!(c.node("late-node").map(|n| n.requested.milli_cpu), Some(500));
        assert_eq!(c.controller_pods("rs1").and_then(|m| m.get("late-node")), Some(&1));
        assert_eq!(c.set_pod(pod("early", "late-node", "rs1")), None, "same labels: no event");
        assert_eq!(c.remove_pod(&key("early")), Some(ClusterEvent::AssignedPodDelete));
        assert_eq!(c.node("late-node").map(|n| n.requested.milli_cpu), Some(0));
        assert!(c.controller_pods("rs1").is_none());
    }

    #[test]
    fn assume_confirm_and_forget() {
        let mut c = Cluster::default();
        c.set_node(node("a", "nginx"));
        assert_eq!(c.set_pod(pod("p", "", "rs")), None);
        assert!(!c.assume(&key("p"), "missing"));
        assert!(c.assume(&key("p"), "a"));
        assert!(!c.assume(&key("p"), "a"), "already placed");
        assert_eq!(c.node("a").map(|n| n.pods.len()), Some(1));
        assert!(c.forget(&key("p")));
        assert_eq!(c.node("a").map(|n| n.pods.len()), Some(0));
        assert!(c.assume(&key("p"), "a"));
        // The watch confirms the binding: still one pod, no longer assumed.
        c.set_pod(pod("p", "a", "rs"));
        assert_eq!(c.node("a").map(|n| n.pods.len()), Some(1));
        assert!(!c.pod(&key("p")).expect("known").assumed);
        assert!(!c.forget(&key("p")), "a confirmed pod cannot be forgotten");
    }

    #[test]
    fn finished_pods_free_their_node_and_nominations_are_tracked() {
        let mut c = Cluster::default();
        c.set_node(node("a", "nginx"));
        c.set_pod(pod("p", "a", "rs"));
        let mut done = pod("p", "a", "rs");
        done.terminal = true;
        assert_eq!(c.set_pod(done), Some(ClusterEvent::AssignedPodDelete));
        assert_eq!(c.node("a").map(|n| n.pods.len()), Some(0));
        let mut waiting = pod("w", "", "rs");
        waiting.nominated_node_name = "a".into();
        c.set_pod(waiting);
        assert_eq!(c.nominated_on("a").count(), 1);
        assert!(c.assume(&key("w"), "a"));
        assert_eq!(c.nominated_on("a").count(), 0);
    }
}
