//! `kubectl autoscale TYPE NAME|TYPE/NAME --max=N [--min=N] [--cpu-percent=P] [--name=N]`
//! (`cmd/autoscale/autoscale.go`): an autoscaling/v1 HorizontalPodAutoscaler (kubectl 1.33 writes v1;
//! the apiserver stores it as v2) for something that has a `scale` subresource.

use serde_json::{Value, json};

use super::args::{self, FlagKind, flag};
use super::common::{self, namespace, object_ref};
use super::target::one_target;
use super::{Ctx, Output};
use crate::sim::api::{self, ResourceType};
use crate::sim::apiserver::request::{ApiRequest, Verb};
use crate::sim::apiserver::scale;

const FLAGS: &[args::FlagSpec] = &[
    flag("max", None, FlagKind::Int32),
    flag("min", None, FlagKind::Int32),
    flag("cpu-percent", None, FlagKind::Int32),
    flag("name", None, FlagKind::Value),
    flag("dry-run", None, FlagKind::Value),
    flag("output", Some('o'), FlagKind::Value),
    flag("field-manager", None, FlagKind::Value),
    flag("save-config", None, FlagKind::Bool),
];

/// `AutoscaleOptions.Validate`.
fn validate(min: i64, max: i64) -> Result<(), String> {
    if max < 1 {
        return Err(format!("error: --max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if max < min {
        return Err(format!("error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    Ok(())
}

/// The HorizontalPodAutoscaler kubectl 1.33 sends: autoscaling/v1, `--cpu-percent` as
/// `targetCPUUtilizationPercentage`, `--min` only when given.
fn hpa(name: &str, target: &ResourceType, target_name: &str, (min, max, cpu): (i64, i64, i64)) -> Value {
    let mut spec = json!({
        "scaleTargetRef": {"apiVersion": target.api_version(), "kind": target.kind, "name": target_name},
        "maxReplicas": max,
    });
    if min > 0 {
        spec["minReplicas"] = json!(min);
    }
    if cpu >= 0 {
        spec["targetCPUUtilizationPercentage"] = json!(cpu);
    }
    json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name}, "spec": spec})
}

pub fn run(cx: &mut Ctx, words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, FLAGS).map_err(|e| format!("error: {e}\nSee 'kubectl autoscale --help' for usage."))?;
    // Each is an int32 flag whose default is -1 (unset).
    let [min, max, cpu] = ["min", "max", "cpu-percent"].map(|f| p.int(f).unwrap_or(-1));
    validate(min, max)?;
    if p.positional.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into());
    }
    let (rt, name, _) = one_target(&p.positional, false)?;
    let ns = namespace(&p);
    common::get_one(cx, rt, &ns, &name).map_err(|e| e.to_string())?;
    if !scale::served(rt) {
        let gvr = format!("{}/{}, Resource={}", rt.group, rt.version, rt.plural);
        return Err(format!(
            "error: cannot autoscale a {}: could not find scale subresource for {gvr} in discovery information",
            rt.kind
        ));
    }
    let hpa_name = p.get("name").unwrap_or(&name).to_string();
    let obj = hpa(&hpa_name, rt, &name, (min, max, cpu));
    let hpa_rt = api::for_kind("autoscaling/v1", "HorizontalPodAutoscaler").expect("autoscaling/v1 is served");
    match p.get("dry-run") {
        Some("client") => {
            out.out(format!("{} created (dry run)", object_ref(hpa_rt, &hpa_name)));
            return Ok(());
        }
        Some("server" | "none") | None => {}
        Some(other) => {
            return Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ));
        }
    }
    let mut req = ApiRequest::new(0, Verb::Create, hpa_rt).in_namespace(Some(&ns)).with_body(obj);
    req.options.dry_run = p.get("dry-run") == Some("server");
    cx.world.call(req).map_err(|e| e.to_string())?;
    let suffix = if p.get("dry-run") == Some("server") { " (server dry run)" } else { "" };
    out.out(format!("{} autoscaled{suffix}", object_ref(hpa_rt, &hpa_name)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_in_kubectls_words() {
        assert_eq!(validate(-1, -1), Err("error: --max=MAXPODS is required and must be at least 1, max: -1".into()));
        assert_eq!(
            validate(5, 2),
            Err("error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 5".into())
        );
        assert_eq!(validate(-1, 3), Ok(()));
    }

    #[test]
    fn the_walkthroughs_autoscaler() {
        let deploy = api::resolve("deployments").expect("served");
        let h = hpa("php-apache", deploy, "php-apache", (1, 10, 50));
        assert_eq!(
            h["spec"]["scaleTargetRef"],
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"})
        );
        assert_eq!(h["spec"]["minReplicas"], 1);
        assert_eq!(
            (h["apiVersion"].as_str(), h["spec"]["targetCPUUtilizationPercentage"].as_i64()),
            (Some("autoscaling/v1"), Some(50))
        );
        let bare = hpa("x", deploy, "x", (-1, 3, -1));
        assert!(
            bare["spec"].get("minReplicas").is_none() && bare["spec"].get("targetCPUUtilizationPercentage").is_none()
        );
    }
}
