//! `-o name`: one `kind.group/name` line per object (`deployment.apps/web`, `pod/web-1`).

use serde_json::Value;

use super::columns;
use super::fields::str_at;

/// `kubectl get -o name` (also what `create`/`apply -o name` print). `kind` is used for objects
/// without `kind`/`apiVersion`; it may be a Kind (`Deployment`), a resource (`deployments`) or
/// `resource.group` (`deployment.apps`).
pub fn name_output(kind: &str, objs: &[Value]) -> String {
    objs.iter().map(|o| format!("{}/{}\n", qualified_kind(o, kind), str_at(o, &["metadata", "name"]))).collect()
}

/// `kind.group` in lower case for an object, as the NamePrinter builds it.
fn qualified_kind(obj: &Value, fallback: &str) -> String {
    let own_kind = str_at(obj, &["kind"]);
    let api_version = str_at(obj, &["apiVersion"]);
    let (kind, group) = if !own_kind.is_empty() {
        let group = api_version.split_once('/').map(|(g, _)| g.to_string()).unwrap_or_default();
        (own_kind.to_string(), group)
    } else {
        let (base, explicit_group) = fallback.split_once('.').unwrap_or((fallback, ""));
        let kind = columns::canonical_kind(base).unwrap_or(base).to_string();
        let group = if explicit_group.is_empty() {
            columns::group_of(base).unwrap_or("").to_string()
        } else {
            explicit_group.to_string()
        };
        (kind, group)
    };
    if group.is_empty() { kind.to_lowercase() } else { format!("{}.{group}", kind.to_lowercase()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_carry_kind_and_group() {
        let objs = [
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1"}}),
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
        ];
        assert_eq!(name_output("", &objs), "deployment.apps/web\npod/web-1\nwidget.example.com/w\n");
    }

    #[test]
    fn fallback_kind_spellings() {
        let bare = [json!({"metadata": {"name": "x"}})];
        assert_eq!(name_output("deployments", &bare), "deployment.apps/x\n");
        assert_eq!(name_output("deployment.apps", &bare), "deployment.apps/x\n");
        assert_eq!(name_output("svc", &bare), "service/x\n");
        assert_eq!(name_output("widgets.example.com", &bare), "widgets.example.com/x\n");
        assert_eq!(name_output("Pod", &[json!(null)]), "pod/\n");
        assert_eq!(name_output("Pod", &[]), "");
    }
}
