//! One message of the trace: where it goes, when, and its full content.

use yew::prelude::*;

use crate::ui::bridge::{Content, Fate, TraceEntry, to_yaml};
use crate::ui::clock::format_clock;
use crate::ui::state::Selection;

#[derive(Properties, PartialEq)]
pub struct MessageViewProps {
    pub entry: TraceEntry,
    /// The payload, while the trace still keeps it (the newest messages only).
    pub content: Option<Content>,
    pub display: f64,
    pub on_select: Callback<Selection>,
}

#[component(MessageView)]
pub fn message_view(props: &MessageViewProps) -> Html {
    let e = &props.entry;
    let goto = |s: Selection| {
        let cb = props.on_select.clone();
        Callback::from(move |_: MouseEvent| cb.emit(s.clone()))
    };
    // A packet's ends are pods: they open as objects, not as processes.
    let end = |name: &str| match name.strip_prefix("pod/").and_then(|p| p.split_once('/')) {
        Some((ns, pod)) => Selection::Object(format!("/registry/pods/{ns}/{pod}")),
        None => Selection::Component(name.to_string()),
    };
    let where_now = if props.display < e.sent_at as f64 {
        "not sent yet"
    } else {
        match e.fate {
            Fate::Delivered if props.display < e.deliver_at as f64 => "on the wire",
            Fate::Delivered => "delivered",
            Fate::Dropped => "dropped: the link between them is cut",
            Fate::Held => "held: the link between them is paused",
            Fate::Ignored => "ignored: the receiver is stopped",
            Fate::Filtered => "dropped by kindnet's NetworkPolicy agent: it never arrives",
        }
    };
    html! {
        <div class="message-view" data-kind={e.kind}>
            <h3>{ format!("Message #{}", e.id) }</h3>
            <p class="summary"><code>{ e.summary.clone() }</code></p>
            <dl>
                <dt>{ "From" }</dt><dd><button class="link" onclick={goto(end(&e.from))}>{ e.from.to_string() }</button></dd>
                <dt>{ "To" }</dt><dd><button class="link" onclick={goto(end(&e.to))}>{ e.to.to_string() }</button></dd>
                <dt>{ "Kind" }</dt><dd>{ e.kind }</dd>
                if let Some(key) = &e.key {
                    <dt>{ "Object" }</dt><dd><button class="link" onclick={goto(Selection::Object(key.clone()))}>{ key.clone() }</button></dd>
                }
                if let Some(rev) = e.revision {
                    <dt>{ "Revision" }</dt><dd>{ rev }</dd>
                }
                <dt>{ "Sent" }</dt><dd>{ format_clock(e.sent_at as f64) }</dd>
                <dt>{ "Arrives" }</dt><dd>{ format!("{} ({} ms later)", format_clock(e.deliver_at as f64), e.deliver_at.saturating_sub(e.sent_at)) }</dd>
                <dt>{ "Now" }</dt><dd>{ where_now }</dd>
                if let Some(d) = &e.decision {
                    <dt>{ "Decided" }</dt><dd data-testid="message-decision">{ format!("{}: {d}", e.from) }</dd>
                }
            </dl>
            <h4>{ "Content" }</h4>
            { content(props.content.as_ref()) }
        </div>
    }
}

fn content(c: Option<&Content>) -> Html {
    let text = match c {
        Some(Content::Document(v)) => to_yaml(v),
        Some(Content::Text(t)) => t.clone(),
        None => {
            return html! { <p class="hint">{ "Only the newest messages keep their full content; this one is older." }</p> };
        }
    };
    html! { <pre class="yaml message-content" data-testid="message-content">{ text }</pre> }
}
