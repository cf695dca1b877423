//! Which field of a manifest a line of the editor is on (`spec.template.spec.containers.image` of an
//! `apps/v1` `Deployment`), for `kubectl explain`. Read from the text line by line, by indentation,
//! as block-style YAML nests, never parsed whole: a half-typed manifest still names its fields, and
//! text that is not YAML at all gives none (it never panics).
//!
//! ```text
//! kind: Deployment              ◄── the document's kind and apiVersion (column 0)
//! spec:                         ◄── parent: a key left of the cursor's key
//!   template:
//!     spec:
//!       containers:             ◄── an indentless list: its `-` at the key's column
//!       - name: web
//!         image: nginx:1.25     ◄── the cursor's line: spec.template.spec.containers.image
//! ```
//! List items add nothing to the path: `kubectl explain` follows a list to its items' fields.

/// A field of a manifest, as `kubectl explain` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldAt {
    pub api_version: Option<String>,
    pub kind: String,
    /// Field names from the top: `["spec", "replicas"]`.
    pub path: Vec<String>,
}

impl FieldAt {
    /// The arguments of `kubectl explain` for it: `deployment.spec.replicas --api-version=apps/v1`.
    pub fn explain_args(&self) -> String {
        let mut s = format!("{}.{}", self.kind.to_ascii_lowercase(), self.path.join("."));
        if let Some(v) = &self.api_version {
            s.push_str(&format!(" --api-version={v}"));
        }
        s
    }
}

/// One line as the walk sees it.
#[derive(Debug, PartialEq, Eq)]
struct Line<'a> {
    /// The column of the outermost `- ` of a list item on this line.
    dash: Option<usize>,
    /// The key and its column, if the line is `key: ...`.
    key: Option<(&'a str, usize)>,
    /// What follows the key's colon, comment and spaces removed.
    value: &'a str,
}

/// Reads one line: its list markers, its key, its value. Blank lines and comments are `None`.
fn read(line: &str) -> Option<Line<'_>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut rest = &line[indent..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let mut col = indent;
    let mut dash = None;
    while rest == "-" || rest.starts_with("- ") {
        dash.get_or_insert(col);
        let after = rest[1..].trim_start_matches(' ');
        col += rest.len() - after.len();
        rest = after;
    }
    let key = key_of(rest);
    let value = match key {
        Some((_, end)) => strip_comment(rest[end..].trim()),
        None => strip_comment(rest.trim()),
    };
    Some(Line { dash, key: key.map(|(k, _)| (k, col)), value })
}

/// `name: ...` or `"name": ...`: the key, and where the text after its colon begins.
fn key_of(rest: &str) -> Option<(&str, usize)> {
    let (key, after) = match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let close = rest[1..].find(q)? + 1;
            (&rest[1..close], close + 1)
        }
        _ => {
            let colon = rest.match_indices(':').map(|(i, _)| i).find(|&i| {
                let next = rest[i + 1..].chars().next();
                next.is_none_or(|c| c == ' ')
            })?;
            (rest[..colon].trim_end(), colon)
        }
    };
    let rest_after = rest.get(after..)?;
    let value_start = after + 1;
    if !rest_after.starts_with(':') || key.is_empty() || key.starts_with(['{', '[', '#', '&', '*', '!', '|', '>']) {
        return None;
    }
    Some((key, value_start))
}

fn strip_comment(v: &str) -> &str {
    match v.find(" #") {
        Some(i) if !v.starts_with(['"', '\'']) => v[..i].trim_end(),
        _ if v.starts_with('#') => "",
        _ => v,
    }
}

/// A scalar's text without its quotes.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The field on line `line` (0-based) of `text`, with its document's kind and apiVersion; none on a
/// line that is not a key, inside a block scalar, or in a document without a kind.
pub fn field_at(text: &str, line: usize) -> Option<FieldAt> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let here = read(lines.get(line)?)?;
    let is_separator = |l: &str| l == "---" || l.starts_with("--- ") || l == "...";
    let start = lines[..line].iter().rposition(|l| is_separator(l)).map_or(0, |i| i + 1);
    let end = lines[line..].iter().position(|l| is_separator(l)).map_or(lines.len(), |i| line + i);
    let (key, key_col) = here.key?;
    let mut path = vec![key.to_string()];
    // Walk up: the parent is the nearest key left of `cur` (or at it, for an indentless list).
    let (mut cur, mut in_list) = match here.dash {
        Some(d) => (d, true),
        None => (key_col, false),
    };
    for l in lines[start..line].iter().rev() {
        if cur == 0 && !in_list {
            break;
        }
        let Some(l) = read(l) else { continue };
        if let Some(d) = l.dash.filter(|&d| d < cur) {
            // Inside this list item: a key of its own on this line is a sibling or an ancestor.
            match l.key {
                Some((k, c)) if c < cur => {
                    if !l.value.is_empty() {
                        return None;
                    }
                    path.push(k.to_string());
                }
                _ => {}
            }
            (cur, in_list) = (d, true);
            continue;
        }
        let Some((k, c)) = l.key else { continue };
        if c < cur || (in_list && c == cur && l.dash.is_none()) {
            // A parent holds a mapping or a list, never a scalar: a `|` or `>` above means this
            // line is text inside a block scalar, not a field.
            if !l.value.is_empty() && !l.value.starts_with('&') {
                return None;
            }
            path.push(k.to_string());
            (cur, in_list) = (c, false);
        }
    }
    if cur != 0 || in_list {
        // Not rooted at a key of column 0: a fragment, or a document that is a list.
        return None;
    }
    path.reverse();
    let top = |name: &str| {
        lines[start..end].iter().filter_map(|l| read(l)).find_map(|l| match l.key {
            Some((k, 0)) if k == name && l.dash.is_none() => Some(unquote(l.value).to_string()),
            _ => None,
        })
    };
    let kind = top("kind").filter(|k| !k.is_empty())?;
    let api_version = top("apiVersion").filter(|v| !v.is_empty());
    Some(FieldAt { api_version, kind, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the name
  labels:
    app: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env:
          - name: MODE
            value: \"fast\"
        ports:
        - containerPort: 80
      volumes: []
---
kind: ConfigMap
apiVersion: v1
data:
  script: |
    run: this is text
";

    fn at(text: &str, line: usize) -> Option<String> {
        field_at(text, line).map(|f| f.path.join("."))
    }

    #[test]
    fn each_line_names_its_field() {
        let cases: [(usize, Option<&str>); 22] = [
            (0, Some("apiVersion")),
            (1, Some("kind")),
            (2, Some("metadata")),
            (3, Some("metadata.name")),
            (5, Some("metadata.labels.app")),
            (7, Some("spec.replicas")),
            (10, Some("spec.template.spec.containers")),
            (11, Some("spec.template.spec.containers.name")),
            (12, Some("spec.template.spec.containers.image")),
            (13, Some("spec.template.spec.containers.env")),
            (14, Some("spec.template.spec.containers.env.name")),
            (15, Some("spec.template.spec.containers.env.value")),
            (17, Some("spec.template.spec.containers.ports.containerPort")),
            (18, Some("spec.template.spec.volumes")),
            (19, None),
            (20, Some("kind")),
            (22, Some("data")),
            (23, Some("data.script")),
            (24, None),
            (25, None),
            (99, None),
            (6, Some("spec")),
        ];
        for (line, want) in cases {
            assert_eq!(at(DEPLOYMENT, line).as_deref(), want, "line {line}: {:?}", DEPLOYMENT.lines().nth(line));
        }
        let f = field_at(DEPLOYMENT, 12).expect("a field");
        assert_eq!((f.api_version.as_deref(), f.kind.as_str()), (Some("apps/v1"), "Deployment"));
        assert_eq!(f.explain_args(), "deployment.spec.template.spec.containers.image --api-version=apps/v1");
        let cm = field_at(DEPLOYMENT, 23).expect("the second document's field");
        assert_eq!(cm.explain_args(), "configmap.data.script --api-version=v1");
    }

    #[test]
    fn text_that_is_not_a_manifest_names_no_field_and_never_panics() {
        let cases = [
            "",
            "\n\n",
            "spec:\n  replicas: 3\n",
            "kind: Pod\n  : x\n",
            "kind: Pod\n- - - -\n",
            "kind: \"Pod\nspec:\n  \"unclosed: 1\n",
            "kind: Pod\r\nspec:\r\n  é: ü\r\n",
            "\t\tkind: Pod\n\tspec:\n",
            "kind: Pod\nspec: {containers: [{name: a}]}\n",
            "- kind: Pod\n  spec:\n    x: 1\n",
            "kind: Pod\nspec:\n  containers:\n  - |\n    a: b\n",
        ];
        for text in cases {
            for line in 0..8 {
                let got = field_at(text, line);
                assert!(got.as_ref().is_none_or(|f| !f.path.is_empty()), "{text:?} {line}: {got:?}");
            }
        }
        assert_eq!(at("kind: Pod\r\nspec:\r\n  é: ü\r\n", 2).as_deref(), Some("spec.é"));
        assert_eq!(at("spec:\n  replicas: 3\n", 1), None, "no kind");
        assert_eq!(at("- kind: Pod\n  spec:\n    x: 1\n", 2), None, "a list is no manifest");
        assert_eq!(at("kind: Pod\n\"spec\":\n  'x y': 1\n", 2).as_deref(), Some("spec.x y"));
    }
}
