//! The grid of node boxes under the control plane, each with its kubelet, kube-proxy, runtime and pods.

use super::geometry::{Point, Rect};
use super::{ComponentBox, MARGIN, NodeBox, fit_pod_name, place_chips};
use crate::ui::model::{ClusterModel, NodeModel, Readiness};

/// Horizontal space between node columns (the vertical lanes run in it).
pub const GAP: f64 = 16.0;
/// Vertical space above each row of nodes; the row's lane runs in its middle.
pub const LANE_GAP: f64 = 30.0;
/// Node boxes are never narrower than this unless the whole diagram is. Four fit side by side in
/// the diagram of a 1280×720 window (shrunk to about 0.87), with room for "kube-proxy" and for a
/// node's name beside "Ready".
const MIN_NODE_W: f64 = 200.0;
/// Advance of one character of the node title (12.5 px bold) and of its status (11 px), as wide as
/// DejaVu Sans draws them (Linux's usual sans; most other fonts are narrower).
const TITLE_CHAR_W: f64 = 8.0;
const STATUS_CHAR_W: f64 = 6.6;
/// More columns than this make the boxes too small to read on a wide screen.
pub const MAX_COLS: usize = 6;
/// Chip rows per node before pods are summed up as `+N`.
const MAX_POD_ROWS: usize = 3;
const CHIP_H: f64 = 20.0;
const CHIP_GAP: f64 = 4.0;
/// Header (name) + kubelet/kube-proxy row + runtime row, above the pods.
const PODS_TOP: f64 = 90.0;

/// What [`place`] decides.
pub struct Grid {
    pub nodes: Vec<NodeBox>,
    /// Row index of each node.
    pub row_of: Vec<usize>,
    /// The y of the lane above each row (at least one, even with no nodes).
    pub lane_y: Vec<f64>,
    /// The lowest edge of the grid.
    pub bottom: f64,
}

/// How many node columns fit in `width`.
pub fn columns(width: f64, node_count: usize) -> usize {
    // The epsilon keeps `columns(width_for(k), ..)` at k despite rounding.
    let fit = ((width - 2.0 * MARGIN + GAP) / (MIN_NODE_W + GAP) + 1e-9).floor() as usize;
    fit.clamp(1, MAX_COLS).min(node_count.max(1))
}

/// The narrowest diagram width with room for `cols` node columns.
pub fn width_for(cols: usize) -> f64 {
    let cols = cols.max(1) as f64;
    cols * MIN_NODE_W + (cols - 1.0) * GAP + 2.0 * MARGIN
}

/// What a node's header says on its right: its status as `kubectl get nodes` prints it, or that it
/// is powered off.
pub fn status(node: &NodeModel, running: bool) -> &'static str {
    if !running {
        return "powered off";
    }
    match node.readiness {
        Readiness::Ready if node.cordoned => "Ready,SchedulingDisabled",
        Readiness::Ready => "Ready",
        Readiness::NotReady => "NotReady",
        Readiness::Unknown => "Unknown",
    }
}

/// Places the node boxes in rows starting at `top`.
pub fn place(model: &ClusterModel, width: f64, top: f64, compact: bool) -> Grid {
    let cols = columns(width, model.nodes.len());
    let node_w = (width - 2.0 * MARGIN - (cols as f64 - 1.0) * GAP) / cols as f64;
    let chip_cols = if node_w >= 330.0 { 3 } else { 2 };
    let chip_w = (node_w - 16.0 - (chip_cols as f64 - 1.0) * CHIP_GAP) / chip_cols as f64;
    // Every node gets the same height: as many chip rows as the fullest node needs, within bounds.
    let fullest = model.nodes.iter().map(|n| model.pods_on(&n.name).count()).max().unwrap_or(0);
    let pod_rows = fullest.div_ceil(chip_cols).clamp(1, MAX_POD_ROWS);
    let node_h = PODS_TOP + pod_rows as f64 * (CHIP_H + CHIP_GAP) + 4.0;

    let mut nodes = Vec::with_capacity(model.nodes.len());
    let mut row_of = Vec::with_capacity(model.nodes.len());
    let rows = model.nodes.len().div_ceil(cols).max(1);
    let lane_y: Vec<f64> = (0..rows).map(|r| top + r as f64 * (node_h + LANE_GAP) - LANE_GAP / 2.0).collect();
    for (i, node) in model.nodes.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let rect =
            Rect::new(MARGIN + col as f64 * (node_w + GAP), top + row as f64 * (node_h + LANE_GAP), node_w, node_h);
        let stopped = model.stopped.contains(&format!("node/{}", node.name));
        let comp = |role: &'static str, r: Rect| {
            let id = format!("{role}/{}", node.name);
            let running = !stopped && !model.stopped.contains(&id);
            ComponentBox {
                id,
                label: if role == "container-runtime" { "container runtime" } else { role },
                rect: r,
                running,
            }
        };
        let half = (node_w - 16.0 - 8.0) / 2.0;
        let kubelet = comp("kubelet", Rect::new(rect.x + 8.0, rect.y + 28.0, half, 26.0));
        let proxy = comp("kube-proxy", Rect::new(kubelet.rect.right() + 8.0, rect.y + 28.0, half, 26.0));
        let runtime = comp("container-runtime", Rect::new(rect.x + 8.0, rect.y + 62.0, node_w - 16.0, 22.0));
        let pods = place_chips(
            model.pods_on(&node.name),
            Point::new(rect.x + 8.0, rect.y + PODS_TOP),
            (chip_w, CHIP_H),
            CHIP_GAP,
            chip_cols,
            pod_rows,
        );
        // The header shows the name on the left (after the status dot) and the status on the right.
        // Names of one cluster differ at their end (kind-worker2, kind-worker3): shortening keeps it.
        let status = status(node, !stopped);
        let floor = if compact { node_w * 0.5 } else { node_w * 0.45 };
        let title_room = (node_w - 21.0 - 8.0 - 10.0 - status.len() as f64 * STATUS_CHAR_W).max(floor);
        let title = fit_pod_name(&node.name, title_room, TITLE_CHAR_W);
        nodes.push(NodeBox {
            node: node.clone(),
            rect,
            title,
            status,
            running: !stopped,
            kubelet,
            proxy,
            runtime,
            pods,
        });
        row_of.push(row);
    }
    let bottom = nodes.last().map_or(top, |n: &NodeBox| n.rect.bottom());
    Grid { nodes, row_of, lane_y, bottom }
}
