//! The aggregate chip: pods beyond a node's chip slots, counted per status (`+42 Running, 3 Pending`)
//! so that a node with dozens of pods stays readable and still shows what is wrong with some of them.

use super::POD_CHAR_W;
use crate::ui::model::PodModel;

/// Statuses in the order a reader looks for them: the healthy bulk first, then what needs attention.
const ORDER: [&str; 6] = ["Running", "Pending", "Terminating", "Failed", "Succeeded", "Unknown"];

/// How many of `pods` have each status (kubectl's STATUS word, as the chips colour them), in
/// [`ORDER`], then any other status by name.
pub fn status_counts<'a>(pods: impl IntoIterator<Item = &'a PodModel>) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for p in pods {
        *counts.entry(p.status()).or_default() += 1;
    }
    let rank = |s: &str| ORDER.iter().position(|o| *o == s).unwrap_or(ORDER.len());
    let mut out: Vec<(String, usize)> = counts.into_iter().map(|(s, n)| (s.to_string(), n)).collect();
    // The map is sorted by name, so a stable sort by rank keeps unknown statuses in name order.
    crate::sim::sort::StableSort::stable_sort_by_key(&mut out[..], |(s, _)| rank(s));
    out
}

/// The chip's text: every count (`+42 Running, 3 Pending`) when it fits in `width`, else the total.
pub fn label(statuses: &[(String, usize)], width: f64) -> String {
    let total: usize = statuses.iter().map(|(_, n)| n).sum();
    let full = format!("+{}", statuses.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", "));
    if !statuses.is_empty() && full.chars().count() as f64 * POD_CHAR_W <= width {
        full
    } else {
        format!("+{total} more")
    }
}

/// The chip's tooltip: the total and every count.
pub fn title(statuses: &[(String, usize)]) -> String {
    let total: usize = statuses.iter().map(|(_, n)| n).sum();
    let each = statuses.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", ");
    format!("{total} more pods: {each} (kubectl get pods -o wide lists them all)")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::json;

    use super::super::Layout;
    use super::*;
    use crate::ui::model::ClusterModel;

    fn pod(name: &str, phase: &str, terminating: bool) -> PodModel {
        PodModel {
            namespace: "default".into(),
            name: name.into(),
            node: Some("w".into()),
            phase: phase.into(),
            terminating,
            claims: Vec::new(),
        }
    }

    #[test]
    fn counts_follow_the_reading_order() {
        let pods = [
            pod("a", "Pending", false),
            pod("b", "Running", false),
            pod("c", "Running", true),
            pod("d", "Weird", false),
            pod("e", "Running", false),
            pod("f", "Failed", false),
        ];
        let want = [("Running", 2), ("Pending", 1), ("Terminating", 1), ("Failed", 1), ("Weird", 1)];
        let got = status_counts(&pods);
        assert_eq!(got.iter().map(|(s, n)| (s.as_str(), *n)).collect::<Vec<_>>(), want);
        assert!(status_counts(&[]).is_empty());
    }

    #[test]
    fn labels_show_every_count_when_they_fit() {
        let s = |v: &[(&str, usize)]| v.iter().map(|(a, n)| (a.to_string(), *n)).collect::<Vec<_>>();
        let cases = [
            (s(&[("Running", 55)]), 110.0, "+55 Running"),
            (s(&[("Running", 42), ("Pending", 3)]), 110.0, "+45 more"),
            (s(&[("Running", 42), ("Pending", 3)]), 300.0, "+42 Running, 3 Pending"),
            (s(&[("Running", 55)]), 20.0, "+55 more"),
            (s(&[]), 300.0, "+0 more"),
        ];
        for (statuses, width, want) in cases {
            assert_eq!(label(&statuses, width), want, "{statuses:?} in {width}");
        }
        assert_eq!(
            title(&s(&[("Running", 42), ("Pending", 3)])),
            "45 more pods: 42 Running, 3 Pending (kubectl get pods -o wide lists them all)"
        );
    }

    /// 60 pods on one worker (3 of them Pending): the node keeps the height of 3 chip rows, and the
    /// last slot sums up the rest by status.
    #[test]
    fn sixty_pods_on_a_node_aggregate_into_one_chip() {
        let nodes_json = [
            json!({"metadata": {"name": "cp", "labels": {"node-role.kubernetes.io/control-plane": ""}}}),
            json!({"metadata": {"name": "w1"}}),
            json!({"metadata": {"name": "w2"}}),
        ];
        let pods_json: Vec<_> = (0..60)
            .map(|i| json!({"metadata": {"name": format!("web-{i:02}")}, "spec": {"nodeName": "w1"}, "status": {"phase": if i % 20 == 19 { "Pending" } else { "Running" }}}))
            .collect();
        let m = ClusterModel::from_objects(&nodes_json, &pods_json, BTreeSet::new());
        for width in [390.0, 800.0, 1280.0, 1920.0] {
            let l = Layout::compute(&m, width);
            let w1 = l.nodes.iter().find(|n| n.node.name == "w1").expect("laid out");
            let more = w1.pods.more.as_ref().expect("60 pods do not fit in the chip slots");
            assert!(w1.pods.chips.len() < 3 * 3, "at most 3 rows of chips, one slot for the aggregate, at {width}");
            assert_eq!(w1.pods.chips.len() + more.count, 60, "every pod is shown or counted at {width}");
            let hidden: Vec<&PodModel> = m.pods_on("w1").skip(w1.pods.chips.len()).collect();
            assert_eq!(more.statuses, status_counts(hidden), "the counts are those of the hidden pods");
            assert_eq!(more.statuses.iter().map(|(_, n)| n).sum::<usize>(), more.count);
            assert!(
                more.statuses.iter().any(|(s, n)| s == "Pending" && *n >= 1),
                "a Pending pod is not lost in the total: {:?}",
                more.statuses
            );
            assert!(w1.rect.contains(&more.rect) && w1.pods.chips.iter().all(|c| !c.rect.overlaps(&more.rect)));
            assert!(
                more.label.chars().count() as f64 * POD_CHAR_W <= more.rect.w,
                "{:?} overflows its chip at {width}",
                more.label
            );
            let nine = Layout::compute(&ClusterModel { pods: m.pods[..9].to_vec(), ..m.clone() }, width);
            assert_eq!(w1.rect.h, nine.nodes[1].rect.h, "60 pods make the node no taller than 9 do at {width}");
        }
    }
}
