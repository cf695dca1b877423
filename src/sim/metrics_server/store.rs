//! metrics-server's storage (`pkg/storage/{node,pod}.go`): the last and the previous sample of every
//! node and container. A new batch replaces `last`; the old `last` becomes `prev` when it is older; a
//! node or pod absent from the batch is forgotten. Only what has both samples is served, since CPU is
//! the rate between them.

use std::collections::BTreeMap;

use crate::sim::apiserver::metrics::Scrape;
use crate::sim::protocol::kubelet::{ContainerUsage, NodeSample, PodUsage, ScrapeReply};
use crate::sim::time::Millis;

/// A sample and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Point<T> {
    at: Millis,
    value: T,
}

/// The last two samples of one node or container.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Points<T> {
    prev: Option<Point<T>>,
    last: Point<T>,
}

type PodKey = (String, String);

/// What metrics-server keeps between scrapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    /// When the last batch was scraped.
    at: Millis,
    nodes: BTreeMap<String, Points<NodeSample>>,
    /// Per pod, per container.
    pods: BTreeMap<PodKey, BTreeMap<String, Points<ContainerUsage>>>,
}

/// `last` moves to `prev` when the new point is later; otherwise the old `prev` stays.
fn advance<T: Clone>(old: Option<&Points<T>>, last: Point<T>) -> Points<T> {
    let prev = old.and_then(|o| if o.last.at < last.at { Some(o.last.clone()) } else { o.prev.clone() });
    Points { prev, last }
}

impl Store {
    /// Stores one scrape's answers (taken at `at`), replacing the previous batch.
    pub fn store(&mut self, at: Millis, answers: Vec<ScrapeReply>) {
        let mut nodes = BTreeMap::new();
        let mut pods: BTreeMap<PodKey, BTreeMap<String, Points<ContainerUsage>>> = BTreeMap::new();
        for a in answers {
            let name = a.node.name.clone();
            nodes.insert(name.clone(), advance(self.nodes.get(&name), Point { at: a.at, value: a.node }));
            for p in a.pods {
                let key = (p.namespace, p.name);
                let old = self.pods.get(&key);
                let entry = pods.entry(key.clone()).or_default();
                for c in p.containers {
                    let before = old.and_then(|o| o.get(&c.name));
                    entry.insert(c.name.clone(), advance(before, Point { at: a.at, value: c }));
                }
            }
        }
        *self = Store { at, nodes, pods };
    }

    /// What the Metrics API serves: what has two samples, with the last sample's figures.
    pub fn metrics(&self) -> Scrape {
        let nodes = self.nodes.values().filter(|p| p.prev.is_some()).map(|p| p.last.value.clone()).collect();
        let pods = self
            .pods
            .iter()
            .filter_map(|((namespace, name), containers)| {
                let containers: Vec<ContainerUsage> =
                    containers.values().filter(|p| p.prev.is_some()).map(|p| p.last.value.clone()).collect();
                (!containers.is_empty()).then(|| PodUsage {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    containers,
                })
            })
            .collect();
        Scrape { at: self.at, nodes, pods }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(node: &str, at: Millis, pods: &[(&str, u64)]) -> ScrapeReply {
        ScrapeReply {
            id: 0,
            at,
            node: NodeSample { name: node.into(), cpu_millis: 100, memory_bytes: 1 << 20 },
            pods: pods
                .iter()
                .map(|(p, cpu)| PodUsage {
                    namespace: "default".into(),
                    name: (*p).into(),
                    containers: vec![ContainerUsage { name: "c".into(), cpu_millis: *cpu, memory_bytes: 1 }],
                })
                .collect(),
        }
    }

    /// metrics-server serves a rate, so one sample is not enough (`storage_test.go`: "should not
    /// return metrics with only one point").
    #[test]
    fn metrics_need_two_scrapes() {
        let mut s = Store::default();
        s.store(0, vec![reply("w1", 0, &[("a", 5)])]);
        assert!(s.metrics().nodes.is_empty() && s.metrics().pods.is_empty());
        s.store(15_000, vec![reply("w1", 15_000, &[("a", 7), ("b", 1)])]);
        let m = s.metrics();
        assert_eq!(m.at, 15_000);
        assert_eq!(m.nodes.len(), 1);
        let names: Vec<&str> = m.pods.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a"], "b has one sample only");
        assert_eq!(m.pods[0].containers[0].cpu_millis, 7, "the last sample's figure");
    }

    /// A node that does not answer is dropped with its pods; when it answers again it needs two more.
    #[test]
    fn a_silent_node_drops_out() {
        let mut s = Store::default();
        s.store(0, vec![reply("w1", 0, &[("a", 5)]), reply("w2", 0, &[("b", 5)])]);
        s.store(15_000, vec![reply("w1", 15_000, &[("a", 5)]), reply("w2", 15_000, &[("b", 5)])]);
        assert_eq!(s.metrics().nodes.len(), 2);
        s.store(30_000, vec![reply("w1", 30_000, &[("a", 5)])]);
        let m = s.metrics();
        assert_eq!(m.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["w1"]);
        assert_eq!(m.pods.len(), 1);
        s.store(45_000, vec![reply("w1", 45_000, &[("a", 5)]), reply("w2", 45_000, &[("b", 5)])]);
        assert_eq!(s.metrics().nodes.len(), 1, "w2 is back with one sample");
    }
}
