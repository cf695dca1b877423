//! Where everything goes in the architecture diagram, computed as plain data from a [`ClusterModel`].
//!
//! ```text
//!  [kubectl]   Unscheduled: (pending pods)
//! ┌ Control plane ───────────────────────────────────────────────┐
//! │ │ [kube-scheduler] [kube-controller-manager] [cloud-c-m]       │
//! │ │         └───────────────┐ │ ┌───────────────┘                │
//! │ └────────────► [  kube-apiserver  ] ─────── [etcd]             │
//! └─────────────────────────────┬───────────────────────────────┘
//!        ┌──────────────────────┴─────────┬──── ... (one lane above each row of nodes)
//!  ┌ node ───────────────┐  ┌ node ───────────────┐
//!  │ [kubelet][kube-proxy]│  │ [kubelet][kube-proxy]│
//!  │ [container runtime]  │  │ [container runtime]  │
//!  │ (pod) (pod) (+3)     │  │ (pod)                │
//!  └──────────────────────┘  └──────────────────────┘
//! ```
//! Nodes wrap into as many columns as the width allows; pods beyond a node's few chip slots are
//! summed up as one `+N` chip. Every message of the trace travels along one of the [`Link`]s.

pub mod aggregate;
pub mod control_plane;
pub mod geometry;
pub mod nodes;

use std::collections::BTreeMap;

use geometry::{Point, Rect, point_along};

use super::model::{ClusterModel, NodeModel, PodModel};

/// Space around the whole diagram.
pub const MARGIN: f64 = 12.0;
/// Below this width the diagram switches to its compact sizes (phones).
pub const COMPACT_WIDTH: f64 = 560.0;
/// The narrowest width laid out; narrower containers scroll sideways.
pub const MIN_WIDTH: f64 = 300.0;
/// The diagram shrinks to fit its panel's height, but never below this scale (text stays readable;
/// beyond it the panel scrolls).
pub const MIN_SCALE: f64 = 0.8;
/// Approximate advance of one character of the 12 px sans font, used to truncate labels.
pub const CHAR_W: f64 = 6.8;
/// Advance of one character of the 11 px monospace font of pod chips.
pub const POD_CHAR_W: f64 = 6.7;
/// Room the volume badge takes at the right end of a chip whose pod uses claims.
pub const BADGE_W: f64 = 14.0;

/// One box standing for one process; `id` is the component's name as the trace spells it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentBox {
    pub id: String,
    pub label: &'static str,
    pub rect: Rect,
    pub running: bool,
}

/// One pod chip.
#[derive(Debug, Clone, PartialEq)]
pub struct PodChip {
    pub pod: PodModel,
    pub rect: Rect,
    /// The name, shortened with `…` to fit the chip.
    pub label: String,
}

/// The `+N` chip standing for pods that have no slot of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct MoreChip {
    pub count: usize,
    pub rect: Rect,
    /// How many of them have each status ([`aggregate::status_counts`]).
    pub statuses: Vec<(String, usize)>,
    /// `+42 Running, 3 Pending`, or `+45 more` when that does not fit.
    pub label: String,
}

/// A row of pod chips with an overflow chip.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChipArea {
    pub chips: Vec<PodChip>,
    pub more: Option<MoreChip>,
}

/// One node: its box, its three node components and its pods.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub node: NodeModel,
    pub rect: Rect,
    /// The node's name, shortened to fit its header.
    pub title: String,
    /// What the header says on the right: `Ready`, `NotReady`, ..., or `powered off`.
    pub status: &'static str,
    pub running: bool,
    pub kubelet: ComponentBox,
    pub proxy: ComponentBox,
    pub runtime: ComponentBox,
    pub pods: ChipArea,
}

/// A path messages travel between two components, oriented from `a` to `b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub a: String,
    pub b: String,
    pub path: Vec<Point>,
}

/// The whole diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub compact: bool,
    pub kubectl: ComponentBox,
    /// The strip of pods waiting for the scheduler, beside kubectl.
    pub tray: Rect,
    pub unscheduled: ChipArea,
    pub control_plane: Rect,
    /// kube-apiserver, etcd, kube-scheduler, kube-controller-manager, cloud-controller-manager.
    pub control: Vec<ComponentBox>,
    pub nodes: Vec<NodeBox>,
    /// How many rows the nodes wrap into (one when there are none).
    pub node_rows: usize,
    pub links: Vec<Link>,
    /// Where kind's local-path-provisioner is drawn: it is no box of its own but a pod, so its
    /// messages leave from its pod's chip (or the `+N` chip hiding it, or its node).
    pub provisioner: Option<Rect>,
    /// Where metrics-server is drawn: likewise its pod in `kube-system`, from which its scrapes of the
    /// kubelets leave.
    pub metrics_server: Option<Rect>,
    /// The node index of each pod that has no chip of its own (`namespace/name`): a packet to or
    /// from it is drawn at its node's `+N` chip.
    hidden_pods: BTreeMap<String, usize>,
    /// Where ingress-nginx's controller is drawn: likewise its pod (once installed).
    pub ingress_controller: Option<Rect>,
    /// Link index by a, then b, as stored: nested so that looking up two `&str` allocates nothing
    /// (every dot on the wire is looked up on every tick).
    link_index: BTreeMap<String, BTreeMap<String, usize>>,
}

impl Layout {
    /// Lays out `model` for a container `width` units wide (units are CSS pixels).
    pub fn compute(model: &ClusterModel, width: f64) -> Self {
        let width = if width.is_finite() { width.max(MIN_WIDTH) } else { MIN_WIDTH };
        let compact = width < COMPACT_WIDTH;
        let cp = control_plane::place(model, width, compact);
        let grid_top = cp.frame.bottom() + nodes::LANE_GAP;
        let grid = nodes::place(model, width, grid_top, compact);
        let height = grid.bottom.max(cp.frame.bottom()) + MARGIN;

        let mut links = cp.links;
        let api = cp.control[0].rect;
        for (i, node) in grid.nodes.iter().enumerate() {
            let lane = grid.lane_y[grid.row_of[i]];
            let gutter = node.rect.x - nodes::GAP / 2.0;
            for (comp, tx) in
                [(&node.kubelet, node.kubelet.rect.right() - 12.0), (&node.proxy, node.proxy.rect.x + 12.0)]
            {
                let mut path = vec![Point::new(api.cx(), api.bottom()), Point::new(api.cx(), grid.lane_y[0])];
                if grid.row_of[i] > 0 {
                    path.push(Point::new(gutter, grid.lane_y[0]));
                    path.push(Point::new(gutter, lane));
                }
                path.push(Point::new(tx, lane));
                path.push(Point::new(tx, comp.rect.y));
                path.dedup_by(|b, a| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
                links.push(Link { a: "kube-apiserver".into(), b: comp.id.clone(), path });
            }
            let k = node.kubelet.rect;
            links.push(Link {
                a: node.kubelet.id.clone(),
                b: node.runtime.id.clone(),
                path: vec![Point::new(k.cx(), k.bottom()), Point::new(k.cx(), node.runtime.rect.y)],
            });
        }
        let provisioner = process_pod_anchor(model, &grid.nodes, PROVISIONER, PROVISIONER_NAMESPACE);
        let metrics_server = process_pod_anchor(model, &grid.nodes, METRICS_SERVER, METRICS_SERVER_NAMESPACE);
        let ingress_controller = process_pod_anchor(model, &grid.nodes, INGRESS_CONTROLLER, INGRESS_NAMESPACE);
        let mut hidden_pods = BTreeMap::new();
        for (i, n) in grid.nodes.iter().enumerate().filter(|(_, n)| n.pods.more.is_some()) {
            for p in model.pods_on(&n.node.name) {
                if !n.pods.chips.iter().any(|c| c.pod.name == p.name && c.pod.namespace == p.namespace) {
                    hidden_pods.insert(format!("{}/{}", p.namespace, p.name), i);
                }
            }
        }
        let mut link_index: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (i, l) in links.iter().enumerate() {
            link_index.entry(l.a.clone()).or_default().insert(l.b.clone(), i);
        }
        Layout {
            width,
            height,
            compact,
            kubectl: cp.kubectl,
            tray: cp.tray,
            unscheduled: cp.unscheduled,
            control_plane: cp.frame,
            control: cp.control,
            node_rows: grid.lane_y.len(),
            nodes: grid.nodes,
            links,
            provisioner,
            metrics_server,
            hidden_pods,
            ingress_controller,
            link_index,
        }
    }

    /// Lays out for a `width` × `height` panel and picks the scale to draw at: 1 when it fits, else
    /// shrunk (down to [`MIN_SCALE`]) to avoid scrolling. At scale s the layout gets width/s units,
    /// which may also fit more node columns.
    ///
    /// Shrinking first buys fewer rows of nodes, then size: a kind cluster's four nodes side by side
    /// read better than three with one below. The height in units never grows as the width does
    /// (more columns, more pod chips per row), so the scales that fit run from [`MIN_SCALE`] up to
    /// some largest one, and the fewest rows are those at [`MIN_SCALE`].
    pub fn fit(model: &ClusterModel, width: f64, height: f64) -> (Layout, f64) {
        let first = Layout::compute(model, width);
        let measured = height.is_finite() && height > 0.0 && width.is_finite() && width > 0.0;
        if first.height <= height || !measured {
            return (first, 1.0);
        }
        let fits = |l: &Layout, s: f64| l.height * s <= height + 1e-6;
        let smallest = Layout::compute(model, width / MIN_SCALE);
        if !fits(&smallest, MIN_SCALE) {
            // Nothing fits: shrink as far as allowed and let the panel scroll.
            let wider = Layout::compute(model, width / (height / first.height).max(MIN_SCALE));
            let scale = (width / wider.width).min((height / wider.height).max(MIN_SCALE)).min(1.0);
            return (wider, scale);
        }
        // The largest scale that keeps the fewest rows: the fewest columns giving that many rows.
        let cols = model.nodes.len().div_ceil(smallest.node_rows).max(1);
        let widest = (width / nodes::width_for(cols)).min(1.0);
        let (mut best, mut scale) = (smallest, MIN_SCALE);
        let mut next = widest;
        // Each try shrinks to the height of the last layout that fit: a few steps reach the largest.
        for _ in 0..4 {
            let layout = Layout::compute(model, width / next);
            if fits(&layout, next) {
                (best, scale) = (layout, next);
                next = widest.min(height / best.height);
            } else {
                next = next.min(height / layout.height);
            }
            if next <= scale + 1e-9 || next < MIN_SCALE {
                break;
            }
        }
        (best, scale)
    }

    /// The box of a component named as the trace names it (`kube-apiserver`, `kubelet/worker2`, ...).
    pub fn component(&self, id: &str) -> Option<&ComponentBox> {
        std::iter::once(&self.kubectl)
            .chain(&self.control)
            .chain(self.nodes.iter().flat_map(|n| [&n.kubelet, &n.proxy, &n.runtime]))
            .find(|c| c.id == id)
    }

    /// Where a component is drawn: its box, or for a process that lives in a pod (the provisioner, metrics-server, ingress-nginx) its pod; a packet's ends
    /// (`pod/<ns>/<name>`) at their pod's chip, and a node's CNI (`kindnet/<node>`) at its kindnet
    /// pod's chip.
    fn anchor(&self, id: &str) -> Option<Rect> {
        if let Some(pod) = id.strip_prefix("pod/") {
            return self.pod_anchor(pod);
        }
        if let Some(node) = id.strip_prefix("kindnet/") {
            return self.cni_anchor(node);
        }
        match id {
            PROVISIONER => self.provisioner,
            METRICS_SERVER => self.metrics_server,
            INGRESS_CONTROLLER => self.ingress_controller,
            _ => self.component(id).map(|c| c.rect),
        }
    }

    /// A pod's chip (`namespace/name`), else the `+N` chip that hides it, else its node.
    fn pod_anchor(&self, key: &str) -> Option<Rect> {
        let (ns, name) = key.split_once('/')?;
        let chip = self.nodes.iter().flat_map(|n| &n.pods.chips).find(|c| c.pod.namespace == ns && c.pod.name == name);
        if let Some(c) = chip {
            return Some(c.rect);
        }
        let node = &self.nodes[*self.hidden_pods.get(key)?];
        Some(node.pods.more.as_ref().map_or(node.rect, |m| m.rect))
    }

    /// A node's CNI: its kindnet pod's chip, else the `+N` chip, else its runtime (which calls it).
    fn cni_anchor(&self, node: &str) -> Option<Rect> {
        let n = self.nodes.iter().find(|n| n.node.name == node)?;
        let chip = n.pods.chips.iter().find(|c| c.pod.namespace == "kube-system" && c.pod.name.starts_with("kindnet-"));
        Some(chip.map(|c| c.rect).or(n.pods.more.as_ref().map(|m| m.rect)).unwrap_or(n.runtime.rect))
    }

    /// Where a message from `from` to `to` is drawn when `progress` (0..=1) of its trip is done.
    ///
    /// It follows the link between the two when there is one (either direction), else a straight
    /// line between the boxes; None when either end is not on the diagram.
    pub fn message_point(&self, from: &str, to: &str, progress: f64) -> Option<Point> {
        let link = |a: &str, b: &str| self.link_index.get(a).and_then(|to| to.get(b)).map(|&i| &self.links[i].path);
        if let Some(path) = link(from, to) {
            return point_along(path, progress);
        }
        if let Some(path) = link(to, from) {
            return point_along(path, 1.0 - progress);
        }
        let (a, b) = (self.anchor(from)?, self.anchor(to)?);
        point_along(&[Point::new(a.cx(), a.cy()), Point::new(b.cx(), b.cy())], progress)
    }
}

/// The provisioner as the trace names it, and where its pod lives (kind's `local-path-storage`).
const PROVISIONER: &str = "local-path-provisioner";
const PROVISIONER_NAMESPACE: &str = "local-path-storage";
/// metrics-server as the trace names it, and its pods' namespace (its `components.yaml`).
const METRICS_SERVER: &str = "metrics-server";
const METRICS_SERVER_NAMESPACE: &str = "kube-system";

/// ingress-nginx's controller as the trace names it, and its pods' namespace.
const INGRESS_CONTROLLER: &str = "ingress-nginx-controller";
const INGRESS_NAMESPACE: &str = "ingress-nginx";

/// The rect standing for the running pod of a process that lives in a pod (named `process-...` in
/// `namespace`): its chip, else the `+N` chip of its node, else its node.
fn process_pod_anchor(model: &ClusterModel, nodes: &[NodeBox], process: &str, namespace: &str) -> Option<Rect> {
    let pod = model.pods.iter().find(|p| {
        p.namespace == namespace
            && p.name.strip_prefix(process).is_some_and(|rest| rest.starts_with('-'))
            && p.phase == "Running"
            && !p.terminating
    })?;
    let node = nodes.iter().find(|n| Some(&n.node.name) == pod.node.as_ref())?;
    let chip = node.pods.chips.iter().find(|c| c.pod == *pod).map(|c| c.rect);
    Some(chip.or(node.pods.more.as_ref().map(|m| m.rect)).unwrap_or(node.rect))
}

/// Shortens `text` with `…` so that it fits `width` units at `char_w` per character.
pub fn fit_label(text: &str, width: f64, char_w: f64) -> String {
    let max = (width / char_w).floor().max(1.0) as usize;
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// Shortens a pod name in its middle, keeping the end: generated names differ only in their
/// suffix (`web-6b6d84964f-6kmcs`), so `web-6b6…-6kmcs` still tells two replicas apart.
pub fn fit_pod_name(name: &str, width: f64, char_w: f64) -> String {
    let max = (width / char_w).floor().max(1.0) as usize;
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_string();
    }
    if max < 5 {
        return fit_label(name, width, char_w);
    }
    let tail = 6.min(max / 2);
    let head = max - 1 - tail;
    let (h, t): (String, String) = (chars[..head].iter().collect(), chars[chars.len() - tail..].iter().collect());
    format!("{h}…{t}")
}

/// Lays pods out as chips in a grid of `cols` × `rows` slots starting at `origin`.
///
/// When there are more pods than slots, the last slot becomes a `+N` chip for the rest, counted by
/// status.
pub fn place_chips<'a>(
    pods: impl IntoIterator<Item = &'a PodModel>,
    origin: Point,
    chip: (f64, f64),
    gap: f64,
    cols: usize,
    rows: usize,
) -> ChipArea {
    let pods: Vec<&PodModel> = pods.into_iter().collect();
    let slots = cols.max(1) * rows;
    let shown = if pods.len() > slots { slots.saturating_sub(1) } else { pods.len() };
    let slot_rect = |i: usize| {
        let (c, r) = (i % cols.max(1), i / cols.max(1));
        Rect::new(origin.x + c as f64 * (chip.0 + gap), origin.y + r as f64 * (chip.1 + gap), chip.0, chip.1)
    };
    let chips = pods[..shown]
        .iter()
        .enumerate()
        .map(|(i, p)| PodChip {
            pod: (*p).clone(),
            rect: slot_rect(i),
            label: fit_pod_name(&p.name, chip.0 - 22.0 - if p.claims.is_empty() { 0.0 } else { BADGE_W }, POD_CHAR_W),
        })
        .collect();
    let more = (pods.len() > shown).then(|| {
        let statuses = aggregate::status_counts(pods[shown..].iter().copied());
        MoreChip {
            count: pods.len() - shown,
            rect: slot_rect(shown),
            label: aggregate::label(&statuses, chip.0 - 8.0),
            statuses,
        }
    });
    ChipArea { chips, more }
}

#[cfg(test)]
mod tests;
