//! `kubectl explain`: a resource's or a field's type and its fields, from the strict checker's schema.
//!
//! Real kubectl reads the apiserver's OpenAPI document; the sandbox has the same field names and
//! types in the schema table strict validation walks (generated from the Kubernetes 1.33 types), so
//! explain follows a field path through it and prints kubectl's layout and type names (`<string>`,
//! `<[]Container>`, `<map[string]string>`, `<Quantity>`). The field descriptions are not bundled
//! (they would add megabytes), so fields are listed one line each, as `--recursive` prints them,
//! and the DESCRIPTION says where the documentation is.

use super::Output;
use super::args::{self, FlagKind, flag};
use crate::sim::api::registry::split_api_version;
use crate::sim::api::strict::schema::{Leaf, Schema, Shape, schema};
use crate::sim::api::{self, ResourceType};

/// How deep `--recursive` goes: deeper than any served kind nests, but a bound all the same.
const MAX_DEPTH: usize = 12;

pub fn explain(words: &[String], out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, &[flag("recursive", None, FlagKind::Bool), flag("api-version", None, FlagKind::Value)])
        .map_err(|e| format!("error: {e}"))?;
    let arg = p.positional.first().ok_or(
        "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.",
    )?;
    let mut path = arg.split('.');
    let ty = path.next().unwrap_or_default();
    let fields: Vec<&str> = path.collect();
    let rt = api::resolve(ty).ok_or_else(|| format!("error: the server doesn't have a resource type \"{ty}\""))?;
    let version = match p.get("api-version") {
        None => rt.version,
        Some(v) if rt.serves_api_version(v) => split_api_version(v).1,
        Some(v) => {
            return Err(format!("error: couldn't find resource for \"{}\" in version \"{v}\"", rt.group_resource()));
        }
    };
    let s = schema();
    let root = s
        .kind(rt.group, version, rt.kind)
        .ok_or_else(|| format!("error: GVK {} not found in OpenAPI schema", rt.kind))?;
    let (field, shape) = follow(s, Shape::Struct(root), &fields)?;
    out.out(header(rt, version, field.map(|f| (f, type_name(s, &shape)))));
    out.out(format!(
        "DESCRIPTION:\n    The sandbox does not bundle the API documentation: see\n    https://kubernetes.io/docs/reference/kubernetes-api/ for {} {version}.\n",
        rt.kind
    ));
    if let Some(id) = struct_of(&shape) {
        let mut list = String::new();
        field_list(s, id, 1, p.has("recursive"), &mut list);
        out.out(format!("\nFIELDS:\n{}", list.trim_end()));
    }
    Ok(())
}

/// Follows `fields` from `shape`; returns the last field's name and shape.
fn follow<'a>(s: &Schema, mut shape: Shape, fields: &[&'a str]) -> Result<(Option<&'a str>, Shape), String> {
    let mut last = None;
    for f in fields {
        let def = struct_of(&shape).map(|id| &s.types[id]);
        shape = def.and_then(|d| d.field(f)).cloned().ok_or_else(|| format!("error: field \"{f}\" does not exist"))?;
        last = Some(*f);
    }
    Ok((last, shape))
}

/// The struct a shape holds, looking through options, lists and maps as explain does.
fn struct_of(shape: &Shape) -> Option<usize> {
    match shape {
        Shape::Struct(id) => Some(*id),
        Shape::Opt(inner) | Shape::List(inner) | Shape::Map(inner) => struct_of(inner),
        Shape::Leaf(_) => None,
    }
}

fn header(rt: &ResourceType, version: &str, field: Option<(&str, String)>) -> String {
    let group = if rt.group.is_empty() { String::new() } else { format!("GROUP:      {}\n", rt.group) };
    let field = field.map(|(name, ty)| format!("FIELD: {name} <{ty}>\n\n")).unwrap_or_default();
    format!("{group}KIND:       {}\nVERSION:    {version}\n\n{field}", rt.kind)
}

/// One line per field, `name<TAB><type>`, indented two spaces a level; nested with `recursive`.
fn field_list(s: &Schema, id: usize, level: usize, recursive: bool, out: &mut String) {
    for (name, shape) in &s.types[id].fields {
        out.push_str(&format!("{:indent$}{name}\t<{}>\n", "", type_name(s, shape), indent = level * 2));
        if recursive
            && level < MAX_DEPTH
            && let Some(inner) = struct_of(shape)
        {
            field_list(s, inner, level + 1, recursive, out);
        }
    }
}

/// kubectl's type hint: `string`, `integer`, `[]Container`, `map[string]string`, a struct's name.
fn type_name(s: &Schema, shape: &Shape) -> String {
    match shape {
        Shape::Opt(inner) => type_name(s, inner),
        Shape::List(item) => format!("[]{}", type_name(s, item)),
        Shape::Map(item) => format!("map[string]{}", type_name(s, item)),
        Shape::Struct(id) => s.types[*id].go_name.clone(),
        Shape::Leaf(leaf) => match leaf {
            Leaf::Str | Leaf::Time | Leaf::Bytes => "string",
            Leaf::I32 | Leaf::I64 => "integer",
            Leaf::F64 => "number",
            Leaf::Bool => "boolean",
            Leaf::Quantity => "Quantity",
            Leaf::IntOrStr => "IntOrString",
            Leaf::Any => "Object",
        }
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(line: &str) -> Result<String, String> {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        explain(&words, &mut out).map(|()| out.stdout)
    }

    #[test]
    fn explains_a_field_with_kubectls_layout_and_type_names() {
        let text = run("deployment.spec").expect("a known field");
        assert!(text.starts_with("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: spec <DeploymentSpec>\n\nDESCRIPTION:\n"), "{text}");
        for line in [
            "  replicas\t<integer>",
            "  selector\t<LabelSelector>",
            "  template\t<PodTemplateSpec>",
            "  paused\t<boolean>",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }

    #[test]
    fn follows_lists_and_names_leaf_types() {
        let text = run("pods.spec.containers").expect("a list of structs");
        assert!(text.contains("FIELD: containers <[]Container>"), "{text}");
        for line in ["  resources\t<ResourceRequirements>", "  env\t<[]EnvVar>", "  args\t<[]string>"] {
            assert!(text.lines().any(|l| l == line), "missing {line:?}");
        }
        let limits = run("pod.spec.containers.resources.limits").expect("a map");
        assert!(limits.contains("FIELD: limits <map[string]Quantity>") && !limits.contains("FIELDS:"), "{limits}");
        let port = run("svc.spec.ports.targetPort").expect("int or string");
        assert!(port.contains("FIELD: targetPort <IntOrString>"), "{port}");
    }

    #[test]
    fn a_resource_has_no_field_line_and_the_core_group_no_group_line() {
        let text = run("pods").expect("a kind");
        assert!(text.starts_with("KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n"), "{text}");
        assert!(
            text.contains("v1.\n\nFIELDS:\n  apiVersion\t<string>\n"),
            "a blank line before FIELDS, as kubectl prints:\n{text}"
        );
        assert!(text.lines().any(|l| l == "  metadata\t<ObjectMeta>"));
    }

    #[test]
    fn recursive_nests_the_fields() {
        let text = run("deployment.spec.strategy --recursive").expect("a struct");
        assert!(text.lines().any(|l| l == "  rollingUpdate\t<RollingUpdateDeployment>"), "{text}");
        assert!(text.lines().any(|l| l == "    maxSurge\t<IntOrString>"), "{text}");
    }

    #[test]
    fn picks_the_version_asked_for() {
        let v2 = run("hpa.spec").expect("v2 is the preferred version");
        assert!(v2.contains("VERSION:    v2") && v2.contains("  metrics\t<[]MetricSpec>"), "{v2}");
        let v1 = run("hpa.spec --api-version=autoscaling/v1").expect("v1 is served");
        assert!(v1.contains("VERSION:    v1") && v1.contains("  targetCPUUtilizationPercentage\t<integer>"), "{v1}");
    }

    #[test]
    fn refuses_what_does_not_exist_in_kubectls_words() {
        assert_eq!(run("pods.spec.contianers"), Err("error: field \"contianers\" does not exist".into()));
        assert_eq!(run("pods.spec.nodeName.x"), Err("error: field \"x\" does not exist".into()));
        assert_eq!(run("widgets"), Err("error: the server doesn't have a resource type \"widgets\"".into()));
        assert!(run("").is_err());
        assert_eq!(
            run("deployments --api-version=apps/v9"),
            Err("error: couldn't find resource for \"deployments.apps\" in version \"apps/v9\"".into())
        );
    }
}
