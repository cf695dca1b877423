//! Properties of the whole layout, over cluster sizes from empty to dozens of nodes and widths from a
//! phone to a wide monitor. (Kept beside layout.rs rather than in it: the table of cases is long.)

use std::collections::BTreeSet;

use serde_json::json;

use super::geometry::Rect;
use super::nodes::columns;
use super::*;

fn model(nodes: usize, pods_per_node: usize, pending: usize) -> ClusterModel {
    let mut node_objs = vec![
        json!({"metadata": {"name": "kind-control-plane", "labels": {"node-role.kubernetes.io/control-plane": ""}}}),
    ];
    node_objs.extend((1..nodes).map(|i| json!({"metadata": {"name": format!("kind-worker{i}")}})));
    let mut pods = Vec::new();
    for n in node_objs.iter().skip(1) {
        let node = n["metadata"]["name"].as_str().expect("set above");
        pods.extend(
            (0..pods_per_node)
                .map(|p| json!({"metadata": {"name": format!("web-{node}-{p}")}, "spec": {"nodeName": node}})),
        );
    }
    pods.extend((0..pending).map(|p| json!({"metadata": {"name": format!("waiting-{p}")}})));
    ClusterModel::from_objects(&node_objs[..nodes.min(node_objs.len())], &pods, BTreeSet::new())
}

const WIDTHS: [f64; 5] = [320.0, 390.0, 800.0, 1280.0, 1920.0];
const SIZES: [(usize, usize, usize); 6] = [(0, 0, 0), (1, 0, 2), (4, 2, 0), (4, 9, 30), (12, 5, 1), (48, 1, 0)];

#[test]
fn boxes_stay_inside_the_diagram_and_never_overlap() {
    for width in WIDTHS {
        for (nodes, per_node, pending) in SIZES {
            let l = Layout::compute(&model(nodes, per_node, pending), width);
            let page = Rect::new(0.0, 0.0, l.width, l.height);
            let case = format!("{nodes} nodes at width {width}");
            assert_eq!(l.nodes.len(), nodes, "{case}");
            for c in &l.control {
                assert!(l.control_plane.contains(&c.rect), "{case}: {} outside the control plane", c.id);
            }
            let mut boxes: Vec<(String, Rect)> =
                vec![("kubectl".into(), l.kubectl.rect), ("control plane".into(), l.control_plane)];
            boxes.extend(l.nodes.iter().map(|n| (n.node.name.clone(), n.rect)));
            for (i, (name, r)) in boxes.iter().enumerate() {
                assert!(page.contains(r), "{case}: {name} {r:?} leaves the page");
                for (other, o) in &boxes[i + 1..] {
                    assert!(!r.overlaps(o), "{case}: {name} overlaps {other}");
                }
            }
            for n in &l.nodes {
                for c in [&n.kubelet, &n.proxy, &n.runtime] {
                    assert!(n.rect.contains(&c.rect), "{case}: {} outside its node", c.id);
                }
                for chip in &n.pods.chips {
                    assert!(n.rect.contains(&chip.rect), "{case}: pod {} outside its node", chip.pod.name);
                }
                if let Some(more) = &n.pods.more {
                    assert!(n.rect.contains(&more.rect), "{case}: +N outside its node");
                }
            }
        }
    }
}

#[test]
fn every_pod_is_shown_or_counted_exactly_once() {
    for (nodes, per_node, pending) in SIZES {
        let m = model(nodes, per_node, pending);
        let l = Layout::compute(&m, 1280.0);
        let count = |a: &ChipArea| a.chips.len() + a.more.as_ref().map_or(0, |m| m.count);
        let on_nodes: usize = l.nodes.iter().map(|n| count(&n.pods)).sum();
        assert_eq!(
            on_nodes + count(&l.unscheduled),
            m.pods.len(),
            "{nodes} nodes, {per_node} pods each, {pending} pending"
        );
        for n in &l.nodes {
            if let Some(more) = &n.pods.more {
                assert!(more.count >= 2, "a +1 chip would hide a pod that fits in its slot");
            }
        }
    }
}

#[test]
fn every_component_has_a_link_to_the_apiserver_or_its_kubelet() {
    let l = Layout::compute(&model(5, 1, 0), 800.0);
    let mut ids: Vec<&str> =
        vec!["kubectl", "etcd", "kube-scheduler", "kube-controller-manager", "cloud-controller-manager"];
    ids.extend(l.nodes.iter().flat_map(|n| [n.kubelet.id.as_str(), n.proxy.id.as_str()]));
    for id in ids {
        let from_api = l.message_point("kube-apiserver", id, 0.0).expect("linked");
        let api = l.component("kube-apiserver").expect("drawn").rect;
        let on_edge = |p: geometry::Point| {
            (p.x - api.x).abs() < 1e-6
                || (p.x - api.right()).abs() < 1e-6
                || (p.y - api.y).abs() < 1e-6
                || (p.y - api.bottom()).abs() < 1e-6
        };
        assert!(on_edge(from_api), "{id}: the message leaves from the apiserver's edge, not {from_api:?}");
        let arrive = l.message_point("kube-apiserver", id, 1.0).expect("linked");
        let back = l.message_point(id, "kube-apiserver", 0.0).expect("linked both ways");
        assert_eq!(arrive, back, "{id}: the way back starts where the way there ended");
    }
    for n in &l.nodes {
        let start = l.message_point(&n.kubelet.id, &n.runtime.id, 0.0).expect("kubelet talks to its runtime");
        assert!((start.y - n.kubelet.rect.bottom()).abs() < 1e-6);
    }
}

#[test]
fn unknown_components_have_no_position() {
    let l = Layout::compute(&model(2, 0, 0), 800.0);
    assert_eq!(l.message_point("kube-apiserver", "kubelet/not-a-node", 0.5), None);
    assert_eq!(l.message_point("nobody", "etcd", 0.5), None);
    // Components without a link between them still get a straight line.
    assert!(l.message_point("etcd", "kube-scheduler", 0.5).is_some());
}

#[test]
fn columns_follow_the_width() {
    let cases = [
        (320.0, 4, 1),
        (800.0, 4, 3),
        (1280.0, 4, 4),
        (1280.0, 40, 5),
        (1920.0, 40, 6),
        (4000.0, 40, 6),
        (1920.0, 2, 2),
        (1920.0, 0, 1),
    ];
    for (width, nodes, want) in cases {
        assert_eq!(columns(width, nodes), want, "{nodes} nodes at width {width}");
    }
}

#[test]
fn silly_widths_are_clamped() {
    for width in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        let l = Layout::compute(&model(3, 1, 1), width);
        assert!(l.width >= MIN_WIDTH && l.width.is_finite() && l.height.is_finite(), "{width}");
    }
}

#[test]
fn stopped_components_and_nodes_are_marked() {
    let mut m = model(3, 0, 0);
    m.stopped = BTreeSet::from(["kube-scheduler".to_string(), "node/kind-worker1".to_string()]);
    let l = Layout::compute(&m, 1280.0);
    assert!(!l.component("kube-scheduler").expect("drawn").running);
    assert!(l.component("etcd").expect("drawn").running);
    let w1 = l.nodes.iter().find(|n| n.node.name == "kind-worker1").expect("laid out");
    assert!(!w1.running && !w1.kubelet.running && !w1.runtime.running);
    assert!(l.component("kubelet/kind-worker2").expect("drawn").running);
}

#[test]
fn labels_are_shortened_to_fit() {
    let cases =
        [("web", 100.0, "web"), ("a-very-long-pod-name-123", 60.0, "a-very-lo…"), ("x", 0.0, "x"), ("", 10.0, "")];
    for (text, width, want) in cases {
        assert_eq!(fit_label(text, width, 6.0), want, "{text} in {width}");
    }
}

#[test]
fn fit_shrinks_to_the_panel_within_bounds() {
    let m = model(4, 2, 0);
    let natural = Layout::compute(&m, 760.0);
    // Room to spare: drawn at full size.
    let (l, s) = Layout::fit(&m, 760.0, natural.height + 50.0);
    assert_eq!((l.width, s), (760.0, 1.0));
    // A little short: shrunk just enough, and never wider than the panel.
    let (l, s) = Layout::fit(&m, 760.0, natural.height * 0.9);
    assert!((MIN_SCALE..1.0).contains(&s), "{s}");
    assert!(l.width * s <= 760.0 + 1e-6 && l.height * s <= natural.height * 0.9 + 1e-6);
    // Far too short: the scale stops at MIN_SCALE and the panel scrolls.
    let (l, s) = Layout::fit(&model(40, 2, 0), 760.0, 200.0);
    assert!((s - MIN_SCALE).abs() < 1e-9 || l.width * s < 760.0, "{s}");
    assert!(s >= MIN_SCALE);
    // Unmeasured panels get the natural layout.
    assert_eq!(Layout::fit(&m, 760.0, 0.0).1, 1.0);
    assert_eq!(Layout::fit(&m, 760.0, f64::NAN).1, 1.0);
}

#[test]
fn pod_names_keep_their_suffix() {
    let cases = [
        ("web-6b6d84964f-6kmcs", 84.0, "web-6b6…-6kmcs"),
        ("web-6b6d84964f-6kmcs", 200.0, "web-6b6d84964f-6kmcs"),
        ("db-0", 24.0, "db-0"),
        ("abcdefgh", 24.0, "abc…"),
        ("abcdefghij", 36.0, "ab…hij"),
    ];
    for (name, width, want) in cases {
        assert_eq!(fit_pod_name(name, width, 6.0), want, "{name} in {width}");
    }
}

/// The size the diagram measures for itself in a 1280×720 viewport in Chromium (tests/e2e.rs prints
/// the panel's: 770.9 × 491.2; the diagram takes whole pixels, one less).
const PANEL_1280X720: (f64, f64) = (770.0, 490.0);

#[test]
fn a_kind_cluster_fits_in_one_row_at_1280x720() {
    let (w, h) = PANEL_1280X720;
    for per_node in [0, 1, 3, 9] {
        let (l, s) = Layout::fit(&model(4, per_node, 0), w, h);
        let case = format!("{per_node} pods per worker");
        assert_eq!(l.node_rows, 1, "{case}: the nodes wrap");
        assert!((MIN_SCALE..=1.0).contains(&s), "{case}: scale {s}");
        assert!(
            l.width * s <= w + 1e-6 && l.height * s <= h + 1e-6,
            "{case}: {}x{} at {s} overflows",
            l.width,
            l.height
        );
        for n in &l.nodes {
            assert!(
                n.kubelet.rect.w - 10.0 >= "kube-proxy".len() as f64 * CHAR_W,
                "{case}: kube-proxy's label is squeezed"
            );
            let whole = n.title == n.node.name;
            assert!(
                whole || n.node.control_plane,
                "{case}: {} is shortened to {} beside {}",
                n.node.name,
                n.title,
                n.status
            );
            assert!(n.title.ends_with("-plane") || whole, "{case}: {} lost its end", n.title);
        }
    }
}

#[test]
fn fit_prefers_fewer_rows_then_the_larger_scale() {
    let panels = [(770.0, 490.0), (770.0, 420.0), (1000.0, 300.0), (600.0, 900.0), (390.0, 500.0), (1900.0, 500.0)];
    for (nodes, per_node, pending) in SIZES {
        let m = model(nodes, per_node, pending);
        for (w, h) in panels {
            let case = format!("{nodes} nodes in {w}x{h}");
            let (l, s) = Layout::fit(&m, w, h);
            assert!((MIN_SCALE - 1e-9..=1.0).contains(&s), "{case}: scale {s}");
            let fits = |l: &Layout, s: f64| l.height * s <= h + 1e-6;
            // Every scale from 1 down to MIN_SCALE: none may fit with fewer rows, or as few at a larger scale.
            for step in 0..=100 {
                let t = 1.0 - (1.0 - MIN_SCALE) * step as f64 / 100.0;
                let other = Layout::compute(&m, w / t);
                if fits(&other, t) && fits(&l, s) {
                    assert!(
                        other.node_rows >= l.node_rows,
                        "{case}: {t} fits {} rows, fit chose {} rows",
                        other.node_rows,
                        l.node_rows
                    );
                    if other.node_rows == l.node_rows {
                        assert!(t <= s + 0.01, "{case}: {t} fits with {} rows, fit chose {s}", l.node_rows);
                    }
                }
                assert!(fits(&l, s) || !fits(&other, t), "{case}: fit overflows though {t} fits");
            }
        }
    }
}

#[test]
fn node_headers_say_the_status_and_keep_the_end_of_the_name() {
    let ready = |name: &str, cordoned: bool| json!({"metadata": {"name": name}, "spec": {"unschedulable": cordoned}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let nodes = [
        ready("kind-control-plane", false),
        ready("a-cluster-with-a-long-name-worker12", false),
        ready("kind-worker3", true),
        json!({"metadata": {"name": "kind-worker4"}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}),
        json!({"metadata": {"name": "kind-worker5"}}),
    ];
    let mut m = ClusterModel::from_objects(&nodes, &[], BTreeSet::new());
    m.stopped.insert("node/kind-worker5".into());
    let l = Layout::compute(&m, 1280.0);
    let header = |name: &str| {
        l.nodes.iter().find(|n| n.node.name == name).map(|n| (n.status, n.title.clone())).expect("laid out")
    };
    let cases = [
        ("kind-control-plane", "Ready", "kind-control-plane"),
        ("kind-worker3", "Ready,SchedulingDisabled", "kind-worker3"),
        ("kind-worker4", "NotReady", "kind-worker4"),
        ("kind-worker5", "powered off", "kind-worker5"),
    ];
    for (name, status, title) in cases {
        assert_eq!(header(name), (status, title.to_string()), "{name}");
    }
    let (_, long) = header("a-cluster-with-a-long-name-worker12");
    assert!(long.contains('…') && long.ends_with("ker12"), "the end of the name tells the nodes apart: {long}");
}

/// kind's provisioner has no box: its messages fly from its pod's chip, once the pod runs.
#[test]
fn the_provisioners_messages_leave_from_its_pod() {
    let nodes = [
        json!({"metadata": {"name": "kind-control-plane", "labels": {"node-role.kubernetes.io/control-plane": ""}}}),
        json!({"metadata": {"name": "kind-worker"}}),
    ];
    let pod = |phase: &str| {
        json!({"metadata": {"namespace": "local-path-storage", "name": "local-path-provisioner-7d4d9bdcc5-x2x5q"},
            "spec": {"nodeName": "kind-worker"}, "status": {"phase": phase}})
    };
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &[pod("Running")], BTreeSet::new()), 800.0);
    let chip = l.nodes[1].pods.chips[0].rect;
    assert_eq!(l.provisioner, Some(chip));
    let start = l.message_point("local-path-provisioner", "kube-apiserver", 0.0).expect("drawn");
    assert_eq!((start.x, start.y), (chip.cx(), chip.cy()));
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &[pod("Pending")], BTreeSet::new()), 800.0);
    assert_eq!(l.message_point("local-path-provisioner", "kube-apiserver", 0.5), None, "not running: not drawn");
}

/// metrics-server is a pod too: its scrapes fly from its pod's chip to each kubelet's box.
#[test]
fn metrics_servers_scrapes_leave_from_its_pod() {
    let nodes = [
        json!({"metadata": {"name": "kind-control-plane", "labels": {"node-role.kubernetes.io/control-plane": ""}}}),
        json!({"metadata": {"name": "kind-worker"}}),
    ];
    let pods = [
        json!({"metadata": {"namespace": "kube-system", "name": "metrics-server-84fc5646cb-5bc7m"},
            "spec": {"nodeName": "kind-worker"}, "status": {"phase": "Running"}}),
        json!({"metadata": {"namespace": "kube-system", "name": "metrics-serverless-1"},
            "spec": {"nodeName": "kind-worker"}, "status": {"phase": "Running"}}),
    ];
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &pods[..1], BTreeSet::new()), 800.0);
    let chip = l.nodes[1].pods.chips[0].rect;
    assert_eq!(l.metrics_server, Some(chip));
    let start = l.message_point("metrics-server", "kubelet/kind-control-plane", 0.0).expect("drawn");
    assert_eq!((start.x, start.y), (chip.cx(), chip.cy()));
    let other = Layout::compute(&ClusterModel::from_objects(&nodes, &pods[1..], BTreeSet::new()), 800.0);
    assert_eq!(other.metrics_server, None, "another name that only starts the same is not it");
}

/// A packet flies from its pod's chip to its node's kube-proxy, then to the node's kindnet pod; a pod
/// summed up in `+N` is reached at that chip. kube-system's pods come after the learner's.
#[test]
fn packets_fly_between_pod_chips_and_the_nodes_boxes() {
    let nodes = [json!({"metadata": {"name": "kind-worker"}})];
    let pod = |ns: &str, name: &str| json!({"metadata": {"namespace": ns, "name": name}, "spec": {"nodeName": "kind-worker"}});
    let mut pods = vec![pod("kube-system", "kindnet-abcde"), pod("default", "client")];
    pods.extend((0..12).map(|i| pod("default", &format!("web-{i:02}"))));
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &pods[..2], BTreeSet::new()), 800.0);
    let chips = &l.nodes[0].pods.chips;
    assert_eq!(chips[0].pod.name, "client", "the learner's pods first");
    assert_eq!(chips[1].pod.name, "kindnet-abcde");
    let start = l.message_point("pod/default/client", "kube-proxy/kind-worker", 0.0).expect("drawn");
    assert_eq!((start.x, start.y), (chips[0].rect.cx(), chips[0].rect.cy()));
    let end = l.message_point("kube-proxy/kind-worker", "kindnet/kind-worker", 1.0).expect("drawn");
    assert_eq!((end.x, end.y), (chips[1].rect.cx(), chips[1].rect.cy()));
    assert_eq!(l.message_point("pod/default/nobody", "kube-proxy/kind-worker", 0.5), None);
    // Crowded: kindnet and the last web pods are summed up; their packets reach the `+N` chip.
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &pods, BTreeSet::new()), 800.0);
    let more = l.nodes[0].pods.more.as_ref().expect("crowded").rect;
    for id in ["kindnet/kind-worker", "pod/default/web-11"] {
        let p = l.message_point("kube-proxy/kind-worker", id, 1.0).expect("drawn");
        assert_eq!((p.x, p.y), (more.cx(), more.cy()), "{id}");
    }
}

/// ingress-nginx's controller, once installed, is drawn the same way: from its pod's chip.
#[test]
fn the_ingress_controllers_messages_leave_from_its_pod() {
    let nodes = [json!({"metadata": {"name": "kind-worker"}})];
    let pod = json!({"metadata": {"namespace": "ingress-nginx", "name": "ingress-nginx-controller-84c58b8969-wxrtc"},
        "spec": {"nodeName": "kind-worker"}, "status": {"phase": "Running"}});
    let l = Layout::compute(&ClusterModel::from_objects(&nodes, &[pod], BTreeSet::new()), 800.0);
    let chip = l.nodes[0].pods.chips[0].rect;
    assert_eq!(l.ingress_controller, Some(chip));
    let start = l.message_point("ingress-nginx-controller", "kube-apiserver", 0.0).expect("drawn");
    assert_eq!((start.x, start.y), (chip.cx(), chip.cy()));
    let none = Layout::compute(&ClusterModel::from_objects(&nodes, &[], BTreeSet::new()), 800.0);
    assert_eq!(none.message_point("ingress-nginx-controller", "kube-apiserver", 0.5), None, "not installed: not drawn");
}
