//! The most recent scheduling decisions, one per pod, bounded so that a 150,000-pod run does not
//! keep 150,000 per-node tables in memory.

use std::collections::{BTreeMap, VecDeque};

use super::decision::Decision;
use super::podinfo::PodKey;

/// A bounded map pod -> last decision; the pods decided longest ago are dropped first.
#[derive(Debug, Clone, Default)]
pub struct DecisionLog {
    capacity: usize,
    latest: BTreeMap<PodKey, Box<(u64, Decision)>>,
    order: VecDeque<(PodKey, u64)>,
    seq: u64,
}

impl DecisionLog {
    /// Keeps decisions for at most `capacity` pods (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self { capacity, ..Self::default() }
    }

    /// How many pods' decisions are kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The last decision for a pod, if it is still kept.
    pub fn get(&self, key: &PodKey) -> Option<&Decision> {
        self.latest.get(key).map(|e| &e.1)
    }

    /// How many pods' decisions are kept now.
    pub fn len(&self) -> usize {
        self.latest.len()
    }

    /// Nothing recorded (or capacity 0).
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }

    /// Records a decision, replacing the pod's previous one.
    pub fn record(&mut self, d: Decision) {
        if self.capacity == 0 {
            return;
        }
        self.seq += 1;
        let key = (d.namespace.clone(), d.name.clone());
        self.order.push_back((key.clone(), self.seq));
        self.latest.insert(key, Box::new((self.seq, d)));
        while self.latest.len() > self.capacity {
            let Some((old, seq)) = self.order.pop_front() else { break };
            if self.latest.get(&old).is_some_and(|e| e.0 == seq) {
                self.latest.remove(&old);
            }
        }
        // Entries superseded by a later decision for the same pod are dropped from time to time.
        if self.order.len() > 4 * self.capacity {
            let latest = &self.latest;
            self.order.retain(|(key, seq)| latest.get(key).is_some_and(|e| e.0 == *seq));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(name: &str, attempt: u32) -> Decision {
        Decision::new("default", name, 0, attempt, vec![], vec![])
    }

    fn key(name: &str) -> PodKey {
        ("default".into(), name.into())
    }

    #[test]
    fn keeps_the_latest_per_pod_and_drops_the_oldest_pods() {
        let mut log = DecisionLog::new(2);
        log.record(decision("a", 1));
        log.record(decision("b", 1));
        log.record(decision("a", 2));
        assert_eq!(log.get(&key("a")).map(|d| d.attempt), Some(2));
        log.record(decision("c", 1));
        assert!(log.get(&key("b")).is_none(), "b was decided longest ago");
        assert!(log.get(&key("a")).is_some() && log.get(&key("c")).is_some());
        assert_eq!(log.len(), 2);
        for i in 0..100 {
            log.record(decision("a", i));
        }
        assert!(log.order.len() <= 4 * 2 + 1, "superseded entries are pruned");
        let mut none = DecisionLog::new(0);
        none.record(decision("a", 1));
        assert!(none.is_empty() && none.capacity() == 0);
    }
}
