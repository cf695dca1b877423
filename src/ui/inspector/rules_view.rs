//! A node's kube-proxy rules as `iptables-save` prints them, with the rules a packet matched marked.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RulesViewProps {
    /// The node the rules are on.
    pub node: String,
    /// `iptables-save`'s text (shared with the kube-proxy that wrote it).
    pub rules: std::sync::Arc<str>,
    /// Lines a packet matched on this node, highlighted.
    pub matched: Vec<String>,
}

#[component(RulesView)]
pub fn rules_view(props: &RulesViewProps) -> Html {
    html! {
        <div class="rules-view">
            <h4>{ format!("Rules on {} (iptables-save)", props.node) }</h4>
            if !props.matched.is_empty() {
                <p class="hint">{ "Highlighted: the rules the packet matched, in the order the kernel walked them." }</p>
            }
            <pre class="rules" data-testid="proxy-rules">
                { for props.rules.lines().map(|l| {
                    let hit = props.matched.iter().any(|m| m == l);
                    html! {
                        <span class={classes!(hit.then_some("matched"))} data-testid={hit.then_some("matched-rule")}>
                            { format!("{l}\n") }
                        </span>
                    }
                }) }
            </pre>
        </div>
    }
}
