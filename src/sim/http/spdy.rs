//! SPDY/3.1 as kubectl's port-forward speaks it to the kubelet (moby/spdystream): the frames
//! (`frame`), the zlib-compressed header blocks with SPDY's dictionary (`headers`, `dictionary`), and
//! the kubelet's side of one port-forward connection (`session`). Native only: the page has no
//! server, and the zlib crate would only make its wasm larger.

pub mod dictionary;
pub mod frame;
pub mod headers;
pub mod session;
