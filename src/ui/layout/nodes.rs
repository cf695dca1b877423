//! The grid of node boxes under the control plane, each with its kubelet, kube-proxy, runtime and pods.

use super::geometry::{Point, Rect};
use super::{ComponentBox, MARGIN, NodeBox, fit_label, place_chips};
use crate::ui::model::ClusterModel;

/// Horizontal space between node columns (the vertical lanes run in it).
pub const GAP: f64 = 16.0;
/// Vertical space above each row of nodes; the row's lane runs in its middle.
pub const LANE_GAP: f64 = 30.0;
/// Node boxes are never narrower than this unless the whole diagram is.
const MIN_NODE_W: f64 = 236.0;
/// More columns than this make the boxes too small to read on a wide screen.
const MAX_COLS: usize = 6;
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
    let fit = ((width - 2.0 * MARGIN + GAP) / (MIN_NODE_W + GAP)).floor() as usize;
    fit.clamp(1, MAX_COLS).min(node_count.max(1))
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
        let rect = Rect::new(MARGIN + col as f64 * (node_w + GAP), top + row as f64 * (node_h + LANE_GAP), node_w, node_h);
        let stopped = model.stopped.contains(&format!("node/{}", node.name));
        let comp = |role: &'static str, r: Rect| {
            let id = format!("{role}/{}", node.name);
            let running = !stopped && !model.stopped.contains(&id);
            ComponentBox { id, label: if role == "container-runtime" { "container runtime" } else { role }, rect: r, running }
        };
        let half = (node_w - 16.0 - 8.0) / 2.0;
        let kubelet = comp("kubelet", Rect::new(rect.x + 8.0, rect.y + 28.0, half, 26.0));
        let proxy = comp("kube-proxy", Rect::new(kubelet.rect.right() + 8.0, rect.y + 28.0, half, 26.0));
        let runtime = comp("container-runtime", Rect::new(rect.x + 8.0, rect.y + 62.0, node_w - 16.0, 22.0));
        let pods = place_chips(model.pods_on(&node.name), Point::new(rect.x + 8.0, rect.y + PODS_TOP), (chip_w, CHIP_H), CHIP_GAP, chip_cols, pod_rows);
        // The header shows the name on the left and the role and status on the right.
        let title_room = if compact { node_w * 0.5 } else { node_w * 0.55 };
        let title = fit_label(&node.name, title_room - 10.0, 7.2);
        nodes.push(NodeBox { node: node.clone(), rect, title, running: !stopped, kubelet, proxy, runtime, pods });
        row_of.push(row);
    }
    let bottom = nodes.last().map_or(top, |n: &NodeBox| n.rect.bottom());
    Grid { nodes, row_of, lane_y, bottom }
}
