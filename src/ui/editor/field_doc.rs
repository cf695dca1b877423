//! Under the editor, the description of the field on the cursor's line, as `kubectl explain` gives
//! it for the manifest's kind and apiVersion. kubectl and its API documentation are fetched the
//! first time a field is explained (as the first `kubectl explain` in the terminal fetches them), so
//! the first visit downloads nothing more.

use yew::prelude::*;

use super::field_path::{FieldAt, field_at};
use crate::ui::bridge;
use crate::ui::cluster::ClusterContext;

#[derive(Properties, PartialEq)]
pub struct FieldDocProps {
    pub text: AttrValue,
    /// The cursor's line (0-based), once the learner has put the cursor in the text.
    pub line: Option<usize>,
}

#[component(FieldDoc)]
pub fn field_doc(props: &FieldDocProps) -> Html {
    let cluster = use_context::<ClusterContext>().expect("FieldDoc is rendered inside the cluster provider");
    let field = props.line.and_then(|l| field_at(&props.text, l));
    let args = field.as_ref().map(FieldAt::explain_args);
    // (the arguments explained, what to show): kept per arguments, so a late answer is not shown
    // for another field.
    let doc = use_state(|| None::<(String, Html)>);
    {
        let doc = doc.clone();
        use_effect_with(args.clone(), move |args| {
            if let Some(args) = args.clone() {
                let line = format!("kubectl explain {args}");
                when_ready(&line, move || {
                    let shown = match cluster.explain(&args) {
                        None => html! { "kubectl is busy; move the cursor again." },
                        Some(Ok(out)) => describe(&out),
                        Some(Err(e)) => html! { <span class="error">{ e.trim().to_string() }</span> },
                    };
                    doc.set(Some((args, shown)));
                });
            }
        });
    }
    let (Some(field), Some(args)) = (field, args) else { return html! {} };
    let body = match &*doc {
        Some((explained, shown)) if *explained == args => shown.clone(),
        _ => html! { <span class="muted">{ "Looking it up (kubectl explain)…" }</span> },
    };
    html! {
        <p class="editor-field-doc" data-testid="field-doc" data-path={field.path.join(".")}
            title={format!("kubectl explain {args}")}>{ body }</p>
    }
}

/// Calls `then` once kubectl and, for `line`, the API documentation are there.
fn when_ready(line: &str, then: impl FnOnce() + 'static) {
    let docs = bridge::explain_docs::needed(line);
    crate::ui::dispatch::start_when_loaded(true, move || match docs {
        true => bridge::explain_docs::when_loaded(move |_| then()),
        false => then(),
    });
}

/// The field line and its description from `kubectl explain`'s output.
fn describe(output: &str) -> Html {
    let (field, text) = field_and_description(output);
    html! { <><code>{ field }</code>{ " " }{ text }</> }
}

/// `replicas <integer>` and the DESCRIPTION's text on one line, from kubectl explain's output.
pub fn field_and_description(output: &str) -> (String, String) {
    let field = output.lines().find_map(|l| l.strip_prefix("FIELD: ")).unwrap_or_default().trim().to_string();
    let text = output
        .lines()
        .skip_while(|l| *l != "DESCRIPTION:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (field, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::bridge::Sim;

    #[test]
    fn the_description_is_kubectl_explains() {
        let mut sim = Sim::unbooted(1);
        let at = field_at("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 3\n", 3).expect("a field");
        let out = bridge::explain(&mut sim, &at.explain_args()).expect("deployment.spec.replicas is explained");
        let (field, text) = field_and_description(&out);
        assert_eq!(field, "replicas <integer>");
        assert!(text.starts_with("Number of desired pods. This is a pointer"), "{text}");
        assert!(!text.contains("  "), "wrapped lines are joined: {text}");
        let err =
            bridge::explain(&mut sim, "deployment.spec.replicaz --api-version=apps/v1").expect_err("no such field");
        assert_eq!(err.trim(), "error: field \"replicaz\" does not exist");
    }
}
