//! The manifest editor: a YAML text area with line numbers, example manifests, and Apply / dry run,
//! which run `kubectl apply -f -` with the text. An error is shown at the line it names.

pub mod errors;
pub mod examples;
mod field_doc;
pub mod field_path;

use yew::prelude::*;

use super::bridge;
use super::cluster::{ApplyOutcome, Cluster, Origin};
use super::dispatch;
use examples::EXAMPLES;
use field_doc::FieldDoc;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub dispatcher: UseReducerDispatcher<Cluster>,
    pub last_apply: Option<ApplyOutcome>,
}

#[component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let text = use_state(|| EXAMPLES[0].yaml.to_string());
    let example = use_state(|| 0usize);
    let gutter = use_node_ref();
    // The cursor's line, for the description of the field on it (none until the text is touched).
    let cursor = use_state(|| None::<usize>);
    let on_cursor = {
        let cursor = cursor.clone();
        Callback::from(move |e: Event| {
            let area = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>();
            let at = area.selection_start().ok().flatten().unwrap_or(0) as usize;
            // selectionStart counts UTF-16 units.
            cursor.set(Some(area.value().encode_utf16().take(at).filter(|&u| u == u16::from(b'\n')).count()));
        })
    };
    // The outcome the learner has edited past: its error no longer describes the text.
    let dismissed = use_state(|| None::<u64>);
    let current_serial = props.last_apply.as_ref().map(|o| o.serial);
    let run = |dry: bool| {
        let (d, text) = (props.dispatcher.clone(), text.clone());
        Callback::from(move |_: MouseEvent| {
            let line = if dry { "kubectl apply -f - --dry-run=server" } else { "kubectl apply -f -" };
            dispatch::run_kubectl(&d, line.into(), Some((*text).clone()), Origin::Editor);
        })
    };
    let on_example = {
        let (text, dismissed, example) = (text.clone(), dismissed.clone(), example.clone());
        Callback::from(move |e: Event| {
            dismissed.set(current_serial);
            let i: usize = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value().parse().unwrap_or(0);
            if let Some(ex) = EXAMPLES.get(i) {
                text.set(ex.yaml.to_string());
                example.set(i);
            }
        })
    };
    let oninput = {
        let (text, dismissed) = (text.clone(), dismissed.clone());
        Callback::from(move |e: InputEvent| {
            dismissed.set(current_serial);
            text.set(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value());
        })
    };
    let onscroll = {
        let gutter = gutter.clone();
        Callback::from(move |e: Event| {
            let top = e.target_unchecked_into::<web_sys::Element>().scroll_top();
            if let Some(g) = gutter.cast::<web_sys::Element>() {
                g.set_scroll_top(top);
            }
        })
    };
    // The line kubectl's error names; an error without one may still be a YAML syntax error we can
    // place, which kubectl's module finds (the failed Apply has loaded it).
    let outcome = props.last_apply.as_ref().filter(|o| Some(o.serial) != *dismissed);
    let error_line = outcome
        .filter(|o| !o.ok)
        .and_then(|o| errors::kubectl_error_line(&o.text).or_else(|| bridge::kubectl::yaml_error_line(&text)));
    let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
    html! {
        <div class="editor" data-testid="editor">
            <div class="editor-bar">
                <label class="visually-hidden" for="example-select">{ "Example manifests" }</label>
                <select id="example-select" data-testid="examples" onchange={on_example} title="Load an example manifest">
                    { for EXAMPLES.iter().enumerate().map(|(i, ex)| html! { <option value={i.to_string()} selected={*example == i}>{ ex.label }</option> }) }
                </select>
                <button data-testid="dry-run" onclick={run(true)} title="kubectl apply --dry-run=server: validate without storing">{ "Dry run" }</button>
                <button data-testid="apply" class="primary" onclick={run(false)} title="kubectl apply -f - with this text">{ "Apply" }</button>
            </div>
            <div class="editor-body">
                <pre class="gutter" ref={gutter} aria-hidden="true">
                    { for (1..=lines).map(|n| html! { <span class={classes!((error_line == Some(n)).then_some("error"))}>{ format!("{n}\n") }</span> }) }
                </pre>
                <textarea class="code" spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off" aria-label="Manifest YAML"
                    value={(*text).clone()} {oninput} {onscroll} onclick={on_cursor.reform(Event::from)}
                    onkeyup={on_cursor.reform(Event::from)} onfocus={on_cursor.reform(Event::from)} />
            </div>
            <FieldDoc text={AttrValue::from((*text).clone())} line={*cursor} />
            { status(outcome, error_line) }
        </div>
    }
}

fn status(outcome: Option<&ApplyOutcome>, line: Option<usize>) -> Html {
    let Some(o) = outcome else {
        return html! { <p class="editor-status">{ "Edit the YAML, then Apply. The terminal shows kubectl's answer." }</p> };
    };
    let text = o.text.trim_end();
    if o.ok {
        html! { <p class="editor-status ok" role="status">{ text.to_string() }</p> }
    } else {
        let at = line.map(|l| format!("Line {l}: ")).unwrap_or_default();
        html! { <p class="editor-status error" role="alert">{ format!("{at}{text}") }</p> }
    }
}
