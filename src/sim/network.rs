//! The simulated network: per-link latency, FIFO delivery per link, partitions and held links.
//!
//! Modelled on turmoil's links: each directed link is a small state machine
//! (`Healthy`, `Partitioned`, `Held`). A partitioned link drops what is sent on it; a held link keeps
//! messages until it is released, then delivers them in order.

use std::collections::BTreeMap;

use super::component::Component;
use super::time::Millis;

/// What a link does with a message right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkState {
    Healthy,
    Partitioned,
    Held,
}

/// The fate of one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Deliver at this virtual time.
    At(Millis),
    /// Lost: the link is partitioned.
    Dropped,
    /// Waiting on a held link.
    Held,
}

/// Links are undirected for faults (a partition cuts both ways) but FIFO per direction.
#[derive(Debug, Default, Clone)]
pub struct Network {
    faults: BTreeMap<(Component, Component), LinkState>,
    /// How many times each link has been partitioned: a partition kills the TCP connections that
    /// cross it, so a client compares this count to find out whether its connection survived.
    partitions: BTreeMap<(Component, Component), u64>,
    last_delivery: BTreeMap<(Component, Component), Millis>,
}

fn undirected(a: &Component, b: &Component) -> (Component, Component) {
    if a <= b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) }
}

impl Network {
    /// One-way latency in virtual ms: loopback on the control-plane host is fast, crossing to a worker
    /// node costs a little more, a kubelet talking to its own runtime over a unix socket is fastest.
    /// A pod's packets cross a veth pair into its node's network namespace: 1 ms too.
    pub fn latency(from: &Component, to: &Component) -> Millis {
        if matches!(from, Component::Pod(_)) || matches!(to, Component::Pod(_)) {
            return 1;
        }
        match (from.node(), to.node()) {
            (Some(a), Some(b)) if a == b => 1,
            (None, None) => 2,
            _ => 5,
        }
    }

    pub fn state(&self, a: &Component, b: &Component) -> LinkState {
        self.faults.get(&undirected(a, b)).copied().unwrap_or(LinkState::Healthy)
    }

    pub fn set_state(&mut self, a: &Component, b: &Component, state: LinkState) {
        let key = undirected(a, b);
        if state == LinkState::Partitioned && self.state(a, b) != LinkState::Partitioned {
            *self.partitions.entry(key.clone()).or_default() += 1;
        }
        if state == LinkState::Healthy {
            self.faults.remove(&key);
        } else {
            self.faults.insert(key, state);
        }
    }

    /// Decides when a message sent now arrives; keeps each direction of a link FIFO.
    pub fn route(&mut self, from: &Component, to: &Component, now: Millis) -> Route {
        match self.state(from, to) {
            LinkState::Partitioned => Route::Dropped,
            LinkState::Held => Route::Held,
            LinkState::Healthy => Route::At(self.fifo_time(from, to, now + Self::latency(from, to))),
        }
    }

    /// Re-routes a message released from a held link, after everything already on its way.
    pub fn release_time(&mut self, from: &Component, to: &Component, now: Millis) -> Millis {
        self.fifo_time(from, to, now + Self::latency(from, to))
    }

    fn fifo_time(&mut self, from: &Component, to: &Component, earliest: Millis) -> Millis {
        let last = self.last_delivery.entry((from.clone(), to.clone())).or_insert(0);
        let at = earliest.max(*last);
        *last = at;
        at
    }

    /// How many times the link between `a` and `b` has been partitioned so far.
    pub fn partitions(&self, a: &Component, b: &Component) -> u64 {
        self.partitions.get(&undirected(a, b)).copied().unwrap_or(0)
    }

    /// Links that are not healthy, for the UI.
    pub fn faults(&self) -> impl Iterator<Item = (&(Component, Component), &LinkState)> {
        self.faults.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubelet() -> Component {
        Component::Kubelet("worker".into())
    }

    #[test]
    fn latency_depends_on_hosts() {
        assert_eq!(Network::latency(&Component::ApiServer, &Component::Etcd), 2);
        assert_eq!(Network::latency(&Component::ApiServer, &kubelet()), 5);
        assert_eq!(Network::latency(&kubelet(), &Component::Runtime("worker".into())), 1);
    }

    #[test]
    fn partition_drops_both_directions_and_heals() {
        let mut n = Network::default();
        n.set_state(&kubelet(), &Component::ApiServer, LinkState::Partitioned);
        assert_eq!(n.route(&Component::ApiServer, &kubelet(), 0), Route::Dropped);
        assert_eq!(n.route(&kubelet(), &Component::ApiServer, 0), Route::Dropped);
        n.set_state(&Component::ApiServer, &kubelet(), LinkState::Healthy);
        assert_eq!(n.route(&kubelet(), &Component::ApiServer, 0), Route::At(5));
    }

    #[test]
    fn held_link_holds() {
        let mut n = Network::default();
        n.set_state(&Component::Etcd, &Component::ApiServer, LinkState::Held);
        assert_eq!(n.route(&Component::ApiServer, &Component::Etcd, 3), Route::Held);
    }

    #[test]
    fn delivery_is_fifo_per_direction() {
        let mut n = Network::default();
        let a = n.route(&Component::ApiServer, &Component::Etcd, 10);
        assert_eq!(a, Route::At(12));
        // Sent later but on the same link: never overtakes.
        assert_eq!(n.route(&Component::ApiServer, &Component::Etcd, 10), Route::At(12));
        assert_eq!(n.release_time(&Component::ApiServer, &Component::Etcd, 5), 12);
    }
}
