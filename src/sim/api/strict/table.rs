//! Generates `schema.txt` from the k8s-openapi types, and fails when the shipped file is stale.
//!
//! `UPDATE_STRICT_SCHEMA=1 cargo test --lib strict::table` rewrites the file (after a k8s-openapi
//! upgrade or a newly served kind); plain `cargo test` only compares.

use super::reference::typed_kinds;
use super::tracer::Traced;
use std::collections::HashMap;

/// Every served (group/version/Kind) and its traced type: the kinds strict validation covers.
pub(super) fn served_kinds() -> Vec<(&'static str, Traced)> {
    typed_kinds().iter().map(|k| (k.key, (k.trace)())).collect()
}

/// Renders the table: structs after the structs they use, one id per distinct shape.
pub(super) fn render(kinds: &[(&str, Traced)]) -> String {
    let mut out = Renderer::default();
    let mut kind_lines = Vec::new();
    for (key, traced) in kinds {
        let id = out.shape(traced);
        kind_lines.push(format!("kind {key} {id}"));
    }
    let mut text = String::from(
        "# The strict checker's schema, generated from k8s-openapi 0.29 (v1_33) by src/sim/api/strict/table.rs.\n\
         # Do not edit: regenerate with `UPDATE_STRICT_SCHEMA=1 cargo test --lib strict::table`.\n",
    );
    for line in kind_lines.iter().chain(&out.lines) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[derive(Default)]
struct Renderer {
    lines: Vec<String>,
    /// A struct's rendered fields -> its id.
    ids: HashMap<(String, String), String>,
    /// How many distinct shapes each Go name has had.
    uses: HashMap<&'static str, usize>,
}

impl Renderer {
    fn shape(&mut self, t: &Traced) -> String {
        match t {
            Traced::Leaf(leaf) => leaf.name().to_string(),
            Traced::Opt(inner) => format!("?{}", self.shape(inner)),
            Traced::List(inner) => format!("[{}]", self.shape(inner)),
            Traced::Map(inner) => format!("{{{}}}", self.shape(inner)),
            Traced::Struct { name, fields } => {
                let body: Vec<String> = fields.iter().map(|(f, s)| format!("{f}={}", self.shape(s))).collect();
                let body = body.join(" ");
                if let Some(id) = self.ids.get(&(name.to_string(), body.clone())) {
                    return id.clone();
                }
                let n = self.uses.entry(name).or_default();
                *n += 1;
                let id = if *n == 1 { name.to_string() } else { format!("{name}~{n}") };
                self.lines.push(format!("type {id} {body}").trim_end().to_string());
                self.ids.insert((name.to_string(), body), id.clone());
                id
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "src/sim/api/strict/schema.txt";

    #[test]
    fn schema_table_is_current() {
        let fresh = render(&served_kinds());
        if std::env::var_os("UPDATE_STRICT_SCHEMA").is_some() {
            std::fs::write(PATH, &fresh).expect("write schema.txt");
        }
        let shipped = include_str!("schema.txt");
        assert!(
            shipped == fresh,
            "{PATH} is stale: run `UPDATE_STRICT_SCHEMA=1 cargo test --lib strict::table` and commit it"
        );
    }

    #[test]
    fn every_served_kind_is_in_the_table() {
        let schema = super::super::schema::schema();
        for r in crate::sim::api::registry::resources() {
            for v in std::iter::once(r.version).chain(r.other_versions.iter().copied()) {
                assert!(schema.kind(r.group, v, r.kind).is_some(), "{} {v}", r.kind);
            }
        }
    }

    #[test]
    fn traces_the_shapes_k8s_openapi_declares() {
        let kinds = served_kinds();
        let text = render(&kinds);
        for want in [
            "kind apps/v1/Deployment Deployment",
            "type DeploymentSpec minReadySeconds=?i32 paused=?bool progressDeadlineSeconds=?i32 replicas=?i32 \
             revisionHistoryLimit=?i32 selector=?LabelSelector strategy=?DeploymentStrategy template=?PodTemplateSpec",
            "type LabelSelector matchExpressions=?[LabelSelectorRequirement] matchLabels=?{str}",
            "type Secret apiVersion=?str kind=?str data=?{bytes} immutable=?bool metadata=?ObjectMeta stringData=?{str} type=?str",
        ] {
            assert!(text.lines().any(|l| l == want), "missing line: {want}");
        }
        assert!(text.contains(" limits=?{quantity}"), "resource lists are maps of quantities");
        assert!(text.contains("type HorizontalPodAutoscalerSpec~2 "), "v1 and v2 HPA specs differ");
    }
}
