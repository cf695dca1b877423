//! A Service's endpoints, as its EndpointSlices list them: what its ClusterIP's rules DNAT to.

use yew::prelude::*;

use crate::ui::bridge::EndpointRow;

#[derive(Properties, PartialEq)]
pub struct EndpointsViewProps {
    pub rows: Vec<EndpointRow>,
}

#[component(EndpointsView)]
pub fn endpoints_view(props: &EndpointsViewProps) -> Html {
    html! {
        <div class="endpoints-view" data-testid="service-endpoints">
            <h4>{ "Endpoints" }</h4>
            if props.rows.is_empty() {
                <p class="muted">{ "None: kube-proxy REJECTs connections to it (connection refused)." }</p>
            } else {
                <ul>
                    { for props.rows.iter().map(|r| html! {
                        <li data-ready={r.ready.to_string()}>
                            <code>{ r.address.clone() }</code>
                            { r.pod.as_ref().map(|p| format!(" pod {p}")).unwrap_or_default() }
                            { if r.ready { "" } else { " (not ready: not balanced to)" } }
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}
