//! The scheduler's last decision for a pod: one row per node, one column per plugin.

use yew::prelude::*;

use crate::ui::bridge::DecisionTable;

#[derive(Properties, PartialEq)]
pub struct DecisionTableProps {
    pub table: DecisionTable,
}

#[component(DecisionTableView)]
pub fn decision_table(props: &DecisionTableProps) -> Html {
    let t = &props.table;
    html! {
        <div class="decision">
            <h4>{ "Scheduling decision" }</h4>
            <p>
                { match &t.chosen { Some(n) => format!("Attempt {}: bound to {n}. ", t.attempt), None => format!("Attempt {}: no node fits. ", t.attempt) } }
                { t.message.clone() }
            </p>
            <div class="table-scroll">
                <table>
                    <thead><tr><th scope="col">{ "Node" }</th>{ for t.plugins.iter().map(|p| html! { <th scope="col">{ p.clone() }</th> }) }<th scope="col">{ "Score" }</th></tr></thead>
                    <tbody>
                        { for t.rows.iter().map(|r| html! {
                            <tr class={classes!((!r.feasible).then_some("infeasible"), (t.chosen.as_deref() == Some(r.node.as_str())).then_some("chosen"))}>
                                <th scope="row">{ r.node.clone() }</th>
                                { for r.cells.iter().map(|c| html! { <td>{ c.clone() }</td> }) }
                                <td>{ r.total.map(|s| s.to_string()).unwrap_or_else(|| if r.feasible { "–".into() } else { "filtered out".into() }) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
