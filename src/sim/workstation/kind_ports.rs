//! kind's `extraPortMappings` as its Ingress guide configures the cluster: the machine's ports 80
//! and 443 go to the same ports of the control-plane node's container (Docker's proxy accepts the
//! connection on the machine and opens one to the node). There the node's rules take it as any
//! connection to its address: a `hostPort` (ingress-nginx's 80 and 443, DNAT-ed by the CNI's
//! `portmap`, `dataplane/view/portmap.rs`) reaches the pod; with nothing behind the port the
//! proxy's connection is refused and it closes the machine's: curl sees an empty reply.

use crate::sim::dataplane::view::PodNetwork;
use crate::sim::node::behaviour::net::{Connect, Network};
use crate::sim::node::behaviour::nettools::http::wire;
use crate::sim::world::{CLUSTER_NAME, World};

/// The bytes the server behind the control-plane node's `port` writes back for `data`; empty when
/// nothing answers there.
pub fn connect(world: &mut World, port: u16, data: &[u8]) -> Vec<u8> {
    let now = world.now();
    let node = format!("{CLUSTER_NAME}-control-plane");
    let World { nodes, apiserver, k, ingress, .. } = world;
    let Some(ip) = nodes.get(&node).filter(|n| n.running).map(|n| n.config.internal_ip.clone()) else {
        return Vec::new();
    };
    let view = PodNetwork::new(nodes, &apiserver.cache, &mut k.rng, &node, now).with_ingress(ingress);
    match view.connect(&ip, port) {
        Connect::Open(peer) => wire::answer(&view, &peer, data),
        Connect::Refused | Connect::TimedOut => Vec::new(),
    }
}
