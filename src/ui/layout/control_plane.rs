//! The top of the diagram: kubectl, the unscheduled-pods tray and the control-plane box.

use super::geometry::{Point, Rect, elbow};
use super::{CHAR_W, ChipArea, ComponentBox, Link, MARGIN, place_chips};
use crate::ui::model::ClusterModel;

/// Height of kubectl's box and of the tray strip.
const TOP_STRIP_H: f64 = 28.0;
/// Height of the control-plane component boxes.
const BOX_H: f64 = 36.0;
/// Where the kubectl link runs down inside the control-plane box, from its left edge.
const KUBECTL_LANE: f64 = 10.0;

/// What [`place`] decides.
pub struct ControlPlanePlacement {
    pub kubectl: ComponentBox,
    pub tray: Rect,
    pub unscheduled: ChipArea,
    pub frame: Rect,
    /// kube-apiserver first, then etcd, kube-scheduler, kube-controller-manager, cloud-controller-manager.
    pub control: Vec<ComponentBox>,
    pub links: Vec<Link>,
}

/// Places kubectl, the tray and the control plane for a diagram `width` wide.
pub fn place(model: &ClusterModel, width: f64, compact: bool) -> ControlPlanePlacement {
    let running = |id: &str| !model.stopped.contains(id);
    let comp =
        |id: &'static str, rect: Rect| ComponentBox { id: id.to_string(), label: id, rect, running: running(id) };
    let inner_w = width - 2.0 * MARGIN;

    let kubectl = comp("kubectl", Rect::new(MARGIN, MARGIN, if compact { 76.0 } else { 96.0 }, TOP_STRIP_H));
    let tray =
        Rect::new(kubectl.rect.right() + 16.0, MARGIN, (width - MARGIN) - (kubectl.rect.right() + 16.0), TOP_STRIP_H);
    let chip_w = if compact { 84.0 } else { 112.0 };
    // The tray's label takes the first 86 units; the chips share the rest in one row.
    let tray_cols = (((tray.w - 86.0 + 4.0) / (chip_w + 4.0)).floor() as usize).max(1);
    let unscheduled =
        place_chips(model.unscheduled(), Point::new(tray.x + 86.0, tray.y + 4.0), (chip_w, 20.0), 4.0, tray_cols, 1);

    let frame_y = MARGIN + TOP_STRIP_H + 16.0;
    // Left of the components: room for the title and for kubectl's link running down.
    let left = MARGIN + 22.0;
    let right = width - MARGIN - 10.0;
    let row1_y = frame_y + 26.0;
    let gap = if compact { 8.0 } else { 16.0 };
    let w3 = ((right - left) - 2.0 * gap) / 3.0;
    let controllers = ["kube-scheduler", "kube-controller-manager", "cloud-controller-manager"];
    let row1: Vec<ComponentBox> = controllers
        .iter()
        .enumerate()
        .map(|(i, id)| comp(id, Rect::new(left + i as f64 * (w3 + gap), row1_y, w3, BOX_H)))
        .collect();

    let row2_y = row1_y + BOX_H + 30.0;
    let api_w = (inner_w * 0.42).min(260.0);
    let api_x = (MARGIN + inner_w * 0.45 - api_w / 2.0).max(left + 24.0);
    let api = comp("kube-apiserver", Rect::new(api_x, row2_y, api_w, BOX_H + 6.0));
    let etcd_x = api.rect.right() + if compact { 20.0 } else { 48.0 };
    let etcd_w = (right - etcd_x).clamp(4.0 * CHAR_W + 12.0, 130.0);
    let etcd = comp("etcd", Rect::new(etcd_x, row2_y, etcd_w, BOX_H + 6.0));
    let frame = Rect::new(MARGIN, frame_y, inner_w, api.rect.bottom() + 14.0 - frame_y);

    let a = api.rect;
    let mut links = vec![
        Link {
            a: "kubectl".into(),
            b: api.id.clone(),
            path: vec![
                Point::new(MARGIN + KUBECTL_LANE, kubectl.rect.bottom()),
                Point::new(MARGIN + KUBECTL_LANE, a.cy()),
                Point::new(a.x, a.cy()),
            ],
        },
        Link {
            a: api.id.clone(),
            b: etcd.id.clone(),
            path: vec![Point::new(a.right(), a.cy()), Point::new(etcd.rect.x, a.cy())],
        },
    ];
    // The controllers reach the apiserver's top at three spread points, so their links stay apart.
    let mid_y = (row1_y + BOX_H + row2_y) / 2.0;
    for (c, offset) in row1.iter().zip([-0.3, 0.0, 0.3]) {
        let from = Point::new(c.rect.cx(), c.rect.bottom());
        let to = Point::new(a.cx() + offset * a.w, a.y);
        links.push(Link { a: c.id.clone(), b: api.id.clone(), path: elbow(from, mid_y, to) });
    }
    let mut control = vec![api, etcd];
    control.extend(row1);
    ControlPlanePlacement { kubectl, tray, unscheduled, frame, control, links }
}
