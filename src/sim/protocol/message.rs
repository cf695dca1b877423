//! Messages on the simulated network: API requests and responses, watch events, etcd traffic, CRI calls,
//! metrics-server's scrapes of the kubelets, the apiserver's streams to kubelets, and the data plane's
//! packets.

use super::cri::{CriRequest, CriResponse};
use super::etcd::{EtcdReply, EtcdRequest, EtcdWatchBatch};
use super::kubelet::{ScrapeReply, ScrapeRequest};
use super::packet::Packet;
use super::request::{ApiRequest, ApiResponse, WatchNotice};
use super::stream::{KubeletReply, KubeletRequest};
use crate::sim::component::Component;

mod content;
pub use content::Content;

/// One message in flight.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: u64,
    pub from: Component,
    pub to: Component,
    pub payload: Payload,
}

/// What a message carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A client (kubectl, a controller, a kubelet) calls the kube-apiserver.
    Request(Box<ApiRequest>),
    /// The kube-apiserver answers a request.
    Response(Box<ApiResponse>),
    /// The kube-apiserver pushes one watch event to a client.
    Watch(Box<WatchNotice>),
    /// The kube-apiserver calls etcd.
    Etcd(Box<EtcdRequest>),
    /// etcd answers the kube-apiserver.
    EtcdReply(Box<EtcdReply>),
    /// etcd's watch stream to the kube-apiserver's watch cache.
    EtcdWatch(Box<EtcdWatchBatch>),
    /// A kubelet calls its container runtime over the CRI.
    Cri(Box<CriRequest>),
    /// The container runtime answers (or reports a container exit).
    CriReply(Box<CriResponse>),
    /// metrics-server asks a kubelet for its resource metrics (`GET /metrics/resource` on :10250).
    Scrape(Box<ScrapeRequest>),
    /// The kubelet answers with what it measured.
    ScrapeReply(Box<ScrapeReply>),
    /// One hop of a packet of the data plane (a program in a pod connecting or asking DNS).
    Packet(Box<Packet>),
    /// The kube-apiserver calls a kubelet's server for a pod's `exec` or `log` subresource.
    Stream(Box<KubeletRequest>),
    /// The kubelet's answer: the stream's content, or its refusal.
    StreamReply(Box<KubeletReply>),
}

/// The trace's view of a payload.
pub struct Described {
    pub kind: &'static str,
    pub summary: String,
    pub key: Option<String>,
    pub revision: Option<i64>,
}

impl Payload {
    pub fn describe(&self) -> Described {
        match self {
            Payload::Request(r) => Described { kind: "request", summary: r.summary(), key: r.key(), revision: None },
            Payload::Response(r) => {
                Described { kind: "response", summary: r.summary(), key: None, revision: r.revision() }
            }
            Payload::Watch(w) => Described { kind: "watch", summary: w.summary(), key: None, revision: w.revision() },
            Payload::Etcd(e) => Described { kind: "etcd", summary: e.summary(), key: e.key(), revision: None },
            Payload::EtcdReply(e) => {
                Described { kind: "etcd", summary: e.summary(), key: None, revision: Some(e.revision) }
            }
            Payload::Cri(c) => Described { kind: "cri", summary: c.summary(), key: None, revision: None },
            Payload::CriReply(c) => Described { kind: "cri", summary: c.summary(), key: None, revision: None },
            Payload::Scrape(r) => Described { kind: "kubelet", summary: r.summary(), key: None, revision: None },
            Payload::ScrapeReply(r) => Described { kind: "kubelet", summary: r.summary(), key: None, revision: None },
            Payload::Packet(p) => Described { kind: "packet", summary: p.summary(), key: None, revision: None },
            Payload::Stream(r) => Described { kind: "stream", summary: r.summary(), key: None, revision: None },
            Payload::StreamReply(r) => Described { kind: "stream", summary: r.summary(), key: None, revision: None },
            Payload::EtcdWatch(w) => Described {
                kind: "etcd-watch",
                summary: w.summary(),
                key: w.events.first().map(|e| e.kv.key.to_string()),
                revision: w.events.last().map(|e| e.kv.mod_revision),
            },
        }
    }
}
