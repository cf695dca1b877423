//! The API documentation of the schema table's types and fields, which `kubectl explain` prints.
//!
//! The descriptions (static/explain/descriptions-v1.33.txt, written by scripts/explain-docs.py from
//! the Kubernetes 1.33 OpenAPI schemas) are 360 KB, 83 KB gzip: more than the page's first visit
//! should carry for one command. Native builds (the CLI, `sandbox serve`, the tests) read them in
//! with the binary; the browser fetches the file on the first `kubectl explain` and hands its text
//! to [`install`]. Until then [`docs`] is `None`, and explain prints the field list without them.
//!
//! Format, keyed by the schema table's type ids (`escape`d: `\n`, `\t`, `\\`):
//!
//! ```text
//! Pod<TAB>Pod is a collection of containers that can run on a host. ...
//! <TAB>spec<TAB>Specification of the desired behavior of the pod. ...
//! <TAB>containers!<TAB>List of containers ...<TAB>merge:name   (`!`: required; patch strategy:key)
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

/// Why a documentation file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocsError {
    /// A line that is neither a type nor a field, or a field before any type.
    #[error("explain documentation line {line}: {why}")]
    Malformed { line: usize, why: &'static str },
    /// A file with no type in it (an error page fetched instead of the file, say).
    #[error("explain documentation: no types in the file")]
    Empty,
}

/// One field's documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDoc {
    pub description: String,
    /// kubectl marks it `-required-`.
    pub required: bool,
    /// `x-kubernetes-patch-strategy` and `-merge-key` (`merge:name`), which `sandbox serve`'s
    /// OpenAPI documents must carry: kubectl apply builds its strategic merge patch from them.
    pub patch: Option<(String, Option<String>)>,
}

/// One type's documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeDoc {
    pub description: String,
    pub fields: HashMap<String, FieldDoc>,
}

/// The parsed file: type id -> its documentation.
#[derive(Debug, Default)]
pub struct Docs {
    types: HashMap<String, TypeDoc>,
}

impl Docs {
    /// A type's documentation by schema id (`PodSpec`) or leaf name (`Time`).
    pub fn of(&self, id: &str) -> Option<&TypeDoc> {
        self.types.get(id)
    }

    /// A field's documentation in the type `id`.
    pub fn field(&self, id: &str, field: &str) -> Option<&FieldDoc> {
        self.of(id)?.fields.get(field)
    }
}

/// Parses the file; the error names the first line that is wrong. Never panics on any input.
pub fn parse(text: &str) -> Result<Docs, DocsError> {
    let mut docs = Docs::default();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let bad = |why| DocsError::Malformed { line: i + 1, why };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('\t') {
            let id = current.as_ref().ok_or(bad("a field before any type"))?;
            let (name, description) =
                rest.split_once('\t').ok_or(bad("a field needs a name, a tab and a description"))?;
            let (name, required) = match name.strip_suffix('!') {
                Some(name) => (name, true),
                None => (name, false),
            };
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(bad("a field name is one word"));
            }
            let (description, patch) = match description.split_once('\t') {
                Some((d, patch)) if !patch.is_empty() && !patch.contains('\t') => (d, Some(patch)),
                Some(_) => return Err(bad("a field has a name, a description and a patch strategy at most")),
                None => (description, None),
            };
            let patch = patch.map(|p| match p.split_once(':') {
                Some((strategy, key)) => (strategy.to_string(), Some(key.to_string())),
                None => (p.to_string(), None),
            });
            let field = FieldDoc { description: unescape(description).ok_or(bad("a bad escape"))?, required, patch };
            docs.types
                .get_mut(id)
                .expect("the current type was inserted when its line was read")
                .fields
                .insert(name.into(), field);
        } else {
            let (id, description) = line.split_once('\t').ok_or(bad("a type needs an id, a tab and a description"))?;
            // Ids are Go type names (`~2` for a second shape): anything else is not this file.
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '~') {
                return Err(bad("a type id is a Go type name"));
            }
            let description = unescape(description).ok_or(bad("a bad escape"))?;
            docs.types.insert(id.into(), TypeDoc { description, fields: HashMap::new() });
            current = Some(id.into());
        }
    }
    if docs.types.is_empty() {
        return Err(DocsError::Empty);
    }
    Ok(docs)
}

/// `\n`, `\t` and `\\` back to what they stand for; None for any other escape.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            '\\' => '\\',
            _ => return None,
        });
    }
    Some(out)
}

static INSTALLED: OnceLock<Docs> = OnceLock::new();

/// Installs the fetched file (the browser, on the first explain); a second install is a no-op.
pub fn install(text: &str) -> Result<(), DocsError> {
    let docs = parse(text)?;
    let _ = INSTALLED.set(docs);
    Ok(())
}

/// The documentation, once there is any: natively always (the file is built into the binary,
/// which costs nothing the browser downloads), in the browser after [`install`].
pub fn docs() -> Option<&'static Docs> {
    #[cfg(not(target_arch = "wasm32"))]
    if INSTALLED.get().is_none() {
        let bundled = include_str!("../../../../static/explain/descriptions-v1.33.txt");
        let _ = INSTALLED.set(parse(bundled).expect("the committed descriptions file parses (tested below)"));
    }
    INSTALLED.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types_fields_required_marks_and_escapes() {
        let docs = parse("# a comment\nPod\tA pod.\\nTwo lines, a \\\\ and a \\t.\n\tspec\tThe spec.\n\tcontainers!\tSome.\tmerge:name\n\tfinalizers\t\tmerge\nTime\tA time.\n").unwrap();
        let pod = docs.of("Pod").unwrap();
        assert_eq!(pod.description, "A pod.\nTwo lines, a \\ and a \t.");
        assert_eq!(
            docs.field("Pod", "spec"),
            Some(&FieldDoc { description: "The spec.".into(), required: false, patch: None })
        );
        let containers = docs.field("Pod", "containers").unwrap();
        assert!(containers.required);
        assert_eq!(containers.patch, Some(("merge".into(), Some("name".into()))));
        assert_eq!(docs.field("Pod", "finalizers").unwrap().patch, Some(("merge".into(), None)));
        assert_eq!(docs.of("Time").unwrap().description, "A time.");
        assert_eq!(docs.field("Pod", "nope"), None);
        assert_eq!(docs.field("Time", "spec"), None);
    }

    #[test]
    fn refuses_malformed_files_with_the_line() {
        for (text, want) in [
            ("\tspec\tno type yet\n", DocsError::Malformed { line: 1, why: "a field before any type" }),
            (
                "Pod\tok\n\tspec no tab\n",
                DocsError::Malformed { line: 2, why: "a field needs a name, a tab and a description" },
            ),
            (
                "Pod without a tab\n",
                DocsError::Malformed { line: 1, why: "a type needs an id, a tab and a description" },
            ),
            ("Pod\tbad \\q escape\n", DocsError::Malformed { line: 1, why: "a bad escape" }),
            ("Pod\ttrailing \\\n", DocsError::Malformed { line: 1, why: "a bad escape" }),
            ("Pod\tok\n\t\tno name\n", DocsError::Malformed { line: 2, why: "a field name is one word" }),
            ("<html>\tnot found</html>\n", DocsError::Malformed { line: 1, why: "a type id is a Go type name" }),
            (
                "Pod\tok\n\tspec\tdesc\tmerge\textra\n",
                DocsError::Malformed { line: 2, why: "a field has a name, a description and a patch strategy at most" },
            ),
            (
                "Pod\tok\n\tspec\tdesc\t\n",
                DocsError::Malformed { line: 2, why: "a field has a name, a description and a patch strategy at most" },
            ),
            ("<!DOCTYPE html>\n", DocsError::Malformed { line: 1, why: "a type needs an id, a tab and a description" }),
            ("", DocsError::Empty),
            ("# only comments\n\n", DocsError::Empty),
        ] {
            assert_eq!(parse(text).err(), Some(want), "{text:?}");
        }
        assert!(install("Pod no tab").is_err(), "a bad file is not installed");
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        // Cut the real file at every few hundred bytes and flip characters: errors, never panics.
        let text = include_str!("../../../../static/explain/descriptions-v1.33.txt");
        for cut in (0..text.len()).step_by(997).filter(|c| text.is_char_boundary(*c)) {
            let _ = parse(&text[..cut]);
            let _ = parse(&text[cut..]);
            let _ = parse(&text[..cut].replace('\t', "\\"));
        }
    }

    #[test]
    fn the_committed_file_documents_every_type_of_the_table() {
        let docs = docs().expect("natively the file is built in");
        let schema = super::super::schema::schema();
        for t in &schema.types {
            let doc = docs.of(&t.id).unwrap_or_else(|| panic!("no documentation for {}", t.id));
            for (name, _) in &t.fields {
                assert!(doc.fields.contains_key(name), "no documentation for {}.{name}", t.id);
            }
        }
        assert!(docs.of("Pod").unwrap().description.starts_with("Pod is a collection of containers"));
        assert!(docs.field("PodSpec", "containers").unwrap().required);
    }
}
