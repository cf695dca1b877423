//! `kubectl explain`: a resource's or a field's type and its fields, from the strict checker's schema.
//!
//! Real kubectl reads the apiserver's OpenAPI document; the sandbox has the same field names and
//! types in the schema table strict validation walks (generated from the Kubernetes 1.33 types), so
//! explain follows a field path through it and prints kubectl's layout and type names (`<string>`,
//! `<[]Container>`, `<map[string]string>`, `<Quantity>`). The descriptions come from the API
//! documentation ([`docs`]), which the browser fetches on the first explain: once it is there the
//! output is kubectl 1.33's (the DESCRIPTION, each field's description wrapped as kubectl wraps it,
//! `-required-` marks, fields in name order). Before that, fields are listed one line each, as
//! `--recursive` prints them, and the DESCRIPTION says where the documentation is.

mod wrap;

use super::Output;
use super::args::{self, FlagKind, flag};
use crate::sim::api::registry::split_api_version;
use crate::sim::api::strict::docs::{self, Docs};
use crate::sim::api::strict::schema::{Leaf, Schema, Shape, schema};
use crate::sim::api::{self, ResourceType};
use wrap::{indent, wrap};

/// How deep `--recursive` goes: deeper than any served kind nests, but a bound all the same.
const MAX_DEPTH: usize = 12;
/// kubectl's templates wrap descriptions to 80 columns less their indent of four.
const WIDTH: usize = 76;

pub fn explain(words: &[String], out: &mut Output) -> Result<(), String> {
    explain_with(words, docs::docs(), out)
}

/// `explain` with the documentation given, so that both outputs (before and after the browser has
/// fetched it) can be tested natively, where it is always there.
fn explain_with(words: &[String], docs: Option<&Docs>, out: &mut Output) -> Result<(), String> {
    let p = args::parse(words, &[flag("recursive", None, FlagKind::Bool), flag("api-version", None, FlagKind::Value)])
        .map_err(|e| format!("error: {e}"))?;
    let arg = p.positional.first().ok_or(
        "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.",
    )?;
    let mut path = arg.split('.');
    let ty = path.next().unwrap_or_default();
    let fields: Vec<&str> = path.collect();
    let rt = api::resolve(ty).ok_or_else(|| format!("error: the server doesn't have a resource type \"{ty}\""))?;
    // `events --api-version=events.k8s.io/v1`: kubectl looks the name up in the group asked for.
    let rt = match p.get("api-version") {
        Some(v) if !rt.serves_api_version(v) => {
            api::resources().iter().find(|r| r.plural == rt.plural && r.serves_api_version(v)).unwrap_or(rt)
        }
        _ => rt,
    };
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
    let found = match follow(s, root, &fields) {
        Ok(found) => found,
        Err(e) => {
            // kubectl 1.33 prints the resource's header before it finds the path does not exist.
            if docs.is_some() {
                out.out(header(rt, version, None));
            }
            return Err(e);
        }
    };
    let recursive = p.has("recursive");
    out.out(match docs {
        Some(docs) => documented(s, docs, rt, version, &found, recursive),
        None => undocumented(s, rt, version, &found, recursive),
    });
    Ok(())
}

/// The text before the documentation is there (in the browser, until the first explain has
/// fetched it): the header, where the documentation is, and the fields one line each.
fn undocumented(s: &Schema, rt: &ResourceType, version: &str, found: &Found, recursive: bool) -> String {
    let field = found.field.map(|f| (f, type_name(s, &found.shape)));
    let mut text = header(rt, version, field);
    text.push_str(&format!(
        "DESCRIPTION:\n    The sandbox does not bundle the API documentation: see\n    https://kubernetes.io/docs/reference/kubernetes-api/ for {} {version}.\n",
        rt.kind
    ));
    if let Some(id) = struct_of(&found.shape) {
        let mut list = String::new();
        field_list(s, None, id, 1, recursive, &mut list);
        text.push_str(&format!("\nFIELDS:\n{}", list.trim_end()));
    }
    text
}

/// kubectl 1.33's text for a resource or field with its documentation: the header (with two blank
/// lines after a FIELD line, as kubectl's template leaves them), the description of the field and
/// then of its type, each wrapped, and each field with its description (or `--recursive`'s tree).
fn documented(s: &Schema, docs: &Docs, rt: &ResourceType, version: &str, found: &Found, recursive: bool) -> String {
    let field = found.field.map(|f| (f, type_name(s, &found.shape)));
    let mut text = header(rt, version, field);
    if found.field.is_some() {
        text.push('\n');
    }
    let own = found.field.and_then(|f| docs.field(&s.types[found.parent].id, f)).map(|f| f.description.as_str());
    let of_type = type_doc_id(s, &found.shape).and_then(|id| docs.of(&id)).map(|t| t.description.as_str());
    let mut description = String::new();
    for part in [own, of_type].into_iter().flatten().filter(|d| !d.is_empty()) {
        description.push_str(&wrap(part, WIDTH));
        description.push('\n');
    }
    text.push_str(&format!("DESCRIPTION:\n{}\n", indent(&description, 4)));
    if let Some(id) = struct_of(&found.shape) {
        text.push_str("FIELDS:\n");
        field_list(s, Some(docs), id, 1, recursive, &mut text);
    }
    text.push('\n');
    text
}

/// Which documentation entry describes a shape's type: its struct, or a documented leaf.
fn type_doc_id(s: &Schema, shape: &Shape) -> Option<String> {
    match shape {
        Shape::Opt(inner) | Shape::List(inner) | Shape::Map(inner) => type_doc_id(s, inner),
        Shape::Struct(id) => Some(s.types[*id].id.clone()),
        Shape::Leaf(Leaf::Time) => Some("Time".into()),
        Shape::Leaf(Leaf::Quantity) => Some("Quantity".into()),
        Shape::Leaf(Leaf::IntOrStr) => Some("IntOrString".into()),
        Shape::Leaf(_) => None,
    }
}

/// Where a field path leads.
struct Found<'a> {
    /// The last field's name; None for the resource itself.
    field: Option<&'a str>,
    /// The struct that holds that field (the resource's own type when there is none).
    parent: usize,
    shape: Shape,
}

/// Follows `fields` from the resource's type `root`.
fn follow<'a>(s: &Schema, root: usize, fields: &[&'a str]) -> Result<Found<'a>, String> {
    let mut found = Found { field: None, parent: root, shape: Shape::Struct(root) };
    for f in fields {
        let parent = struct_of(&found.shape);
        let shape = parent.and_then(|id| s.types[id].field(f)).cloned();
        match (parent, shape) {
            (Some(parent), Some(shape)) => found = Found { field: Some(*f), parent, shape },
            // kubectl 1.33 names the path's last field, whichever one is missing.
            _ => return Err(format!("error: field \"{}\" does not exist", fields.last().unwrap_or(f))),
        }
    }
    Ok(found)
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
/// With documentation, as kubectl 1.33: fields in name order, `-required-` marks, and (when not
/// recursive) each field's description under it and a blank line after it.
fn field_list(s: &Schema, docs: Option<&Docs>, id: usize, level: usize, recursive: bool, out: &mut String) {
    let def = &s.types[id];
    let mut fields: Vec<&(String, Shape)> = def.fields.iter().collect();
    if docs.is_some() {
        fields.sort_by(|a, b| a.0.cmp(&b.0));
    }
    for (name, shape) in fields {
        let doc = docs.and_then(|d| d.field(&def.id, name));
        let required = if doc.is_some_and(|d| d.required) { " -required-" } else { "" };
        out.push_str(&format!("{:indent$}{name}\t<{}>{required}\n", "", type_name(s, shape), indent = level * 2));
        if recursive {
            if level < MAX_DEPTH
                && let Some(inner) = struct_of(shape)
            {
                field_list(s, docs, inner, level + 1, recursive, out);
            }
        } else if docs.is_some() {
            let description =
                doc.map(|d| d.description.as_str()).filter(|d| !d.is_empty()).unwrap_or("<no description>");
            out.push_str(&indent(&wrap(description, WIDTH - (level - 1) * 2), level * 2 + 2));
            out.push_str("\n\n");
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
        explain_with(&words, None, &mut out).map(|()| out.stdout)
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
        let events = run("events --api-version=events.k8s.io/v1").expect("the name in the group asked for");
        assert!(events.starts_with("GROUP:      events.k8s.io\nKIND:       Event\n"), "{events}");
        let v1 = run("hpa.spec --api-version=autoscaling/v1").expect("v1 is served");
        assert!(v1.contains("VERSION:    v1") && v1.contains("  targetCPUUtilizationPercentage\t<integer>"), "{v1}");
    }

    #[test]
    fn refuses_what_does_not_exist_in_kubectls_words() {
        assert_eq!(run("pods.spec.contianers"), Err("error: field \"contianers\" does not exist".into()));
        assert_eq!(run("pods.spec.nodeName.x"), Err("error: field \"x\" does not exist".into()));
        assert_eq!(run("pods.nope.spec"), Err("error: field \"spec\" does not exist".into()), "the last, as kubectl");
        assert_eq!(run("widgets"), Err("error: the server doesn't have a resource type \"widgets\"".into()));
        assert!(run("").is_err());
        assert_eq!(
            run("deployments --api-version=apps/v9"),
            Err("error: couldn't find resource for \"deployments.apps\" in version \"apps/v9\"".into())
        );
    }

    /// What real kubectl 1.33 prints for `line` against `sandbox serve` with the same documentation
    /// (captured from /usr/lib/google-cloud-sdk/bin/kubectl.1.33), and ours.
    fn run_documented(line: &str) -> (String, Output) {
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut out = Output::default();
        let result = explain_with(&words, docs::docs(), &mut out);
        if let Err(e) = result {
            out.err(e);
        }
        (line.to_string(), out)
    }

    #[test]
    fn with_the_documentation_prints_what_kubectl_prints() {
        for (line, want) in [
            ("pod", include_str!("explain/testdata/pod.txt")),
            ("pod.spec.containers", include_str!("explain/testdata/pod.spec.containers.txt")),
            ("deployment.spec.strategy", include_str!("explain/testdata/deployment.spec.strategy.txt")),
            (
                "deployment.spec.strategy --recursive",
                include_str!("explain/testdata/deployment.spec.strategy.recursive.txt"),
            ),
            ("statefulset", include_str!("explain/testdata/statefulset.txt")),
            ("pod.metadata.creationTimestamp", include_str!("explain/testdata/pod.metadata.creationTimestamp.txt")),
        ] {
            let (line, out) = run_documented(line);
            assert_eq!(out.stderr, "", "{line}");
            if out.stdout != want {
                let diff = want.lines().zip(out.stdout.lines()).position(|(a, b)| a != b);
                panic!("kubectl explain {line} differs from kubectl 1.33 at line {diff:?}:\n{}", out.stdout);
            }
        }
    }

    #[test]
    fn with_the_documentation_a_bad_path_keeps_kubectls_words() {
        let (_, out) = run_documented("pod.spec.nope");
        assert_eq!(out.stdout, "KIND:       Pod\nVERSION:    v1\n\n");
        assert_eq!(out.stderr.trim_end(), "error: field \"nope\" does not exist");
        let (_, out) = run_documented("widgets");
        assert_eq!(
            (out.stdout.as_str(), out.stderr.trim_end()),
            ("", "error: the server doesn't have a resource type \"widgets\"")
        );
    }

    #[test]
    fn required_fields_are_marked() {
        let (_, out) = run_documented("pod.spec");
        assert!(out.stdout.lines().any(|l| l == "  containers\t<[]Container> -required-"), "{}", out.stdout);
        assert!(out.stdout.lines().any(|l| l == "  nodeName\t<string>"), "{}", out.stdout);
    }
}
