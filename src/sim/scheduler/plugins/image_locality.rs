//! ImageLocality: prefer nodes that already have the pod's images, weighted by image size and damped
//! for images that are on most nodes anyway (spreading would not cost a pull there either).

use crate::sim::scheduler::cluster::Cluster;
use crate::sim::scheduler::framework::{MAX_NODE_SCORE, Plugin};
use crate::sim::scheduler::nodeinfo::NodeInfo;
use crate::sim::scheduler::podinfo::PodInfo;

/// The plugin's name in the registry, in profiles and in messages.
pub const NAME: &str = "ImageLocality";
const MB: i64 = 1024 * 1024;
/// Below this the score is 0: small images are cheap to pull anywhere.
const MIN_THRESHOLD: i64 = 23 * MB;
/// The per-container size at which the score saturates.
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// The plugin; per-cycle state (if any) is rebuilt by its PreFilter/PreScore.
#[derive(Debug, Default)]
pub struct ImageLocality {
    /// The pod's images with the share of nodes that have each (computed once per cycle).
    spread: Vec<(String, f64)>,
}

/// `calculatePriority`: scale the summed image scores between the thresholds to 0..=100.
pub fn calculate_priority(sum: i64, containers: usize) -> i64 {
    let max = MAX_CONTAINER_THRESHOLD * containers.max(1) as i64;
    let sum = sum.clamp(MIN_THRESHOLD, max);
    MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }

    fn pre_score(&mut self, pod: &PodInfo, cluster: &Cluster, _feasible: &[&NodeInfo]) -> bool {
        let total = cluster.nodes().len().max(1) as f64;
        self.spread =
            pod.images.iter().map(|img| (img.clone(), f64::from(cluster.image_spread(img)) / total)).collect();
        true
    }

    /// `sumImageScores`: each image on the node counts its size times its spread.
    fn score(&self, pod: &PodInfo, node: &NodeInfo, _cluster: &Cluster) -> i64 {
        let sum: i64 = self
            .spread
            .iter()
            .filter_map(|(img, share)| Some((node.node.image_size(img)? as f64 * share) as i64))
            .sum();
        calculate_priority(sum, pod.images.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scheduler::testing::{cluster, node_value, pod};
    use serde_json::json;

    #[test]
    fn calculate_priority_table() {
        let cases = [
            (0, 1, 0),
            (MIN_THRESHOLD, 1, 0),
            (MAX_CONTAINER_THRESHOLD, 1, 100),
            (2 * MAX_CONTAINER_THRESHOLD, 1, 100),
            (500 * MB, 1, 48),
            (500 * MB, 2, 24),
        ];
        for (sum, n, want) in cases {
            assert_eq!(calculate_priority(sum, n), want, "{sum} {n}");
        }
    }

    #[test]
    fn score_prefers_nodes_with_big_images_damped_by_spread() {
        let with =
            |name: &str, images: serde_json::Value| node_value(name, "1", "1Gi", json!({"status": {"images": images}}));
        let big = json!([{"names": ["ml:v1"], "sizeBytes": 800 * MB}]);
        let c =
            cluster(&[with("a", big.clone()), with("b", json!([])), with("c", json!([])), with("d", json!([]))], &[]);
        let p = pod("p", "", "", json!({"containers": [{"name": "c", "image": "ml:v1"}]}));
        let mut pl = ImageLocality::default();
        assert!(pl.pre_score(&p, &c, &[]));
        let scores: Vec<i64> = c.nodes().iter().map(|n| pl.score(&p, n, &c)).collect();
        // 800MB on 1 of 4 nodes -> 200MB effective -> (200-23)/(1000-23)*100 = 18
        assert_eq!(scores, [18, 0, 0, 0]);
        let everywhere = cluster(&[with("a", big.clone()), with("b", big)], &[]);
        pl.pre_score(&p, &everywhere, &[]);
        assert_eq!(pl.score(&p, &everywhere.nodes()[0], &everywhere), 79);
    }
}
