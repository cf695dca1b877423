//! The help panel: what each component does and sends, how to read the diagram, the keys.

use yew::prelude::*;

use super::glossary::ENTRIES;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[component(Help)]
pub fn help(props: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let on_backdrop = {
        let cb = props.on_close.clone();
        Callback::from(move |e: MouseEvent| {
            let on_backdrop = e.target().zip(e.current_target()).is_some_and(|(t, c)| t == c);
            if on_backdrop {
                cb.emit(());
            }
        })
    };
    let on_key = {
        let cb = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                cb.emit(());
            }
        })
    };
    html! {
        <div class="modal-backdrop" onclick={on_backdrop} onkeydown={on_key}>
            <div class="modal help" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help">
                <div class="panel-title">
                    <h2 id="help-title">{ "How the cluster works" }</h2>
                    <button ref={close_ref} class="close" onclick={close} aria-label="Close help">{ "×" }</button>
                </div>
                <p>
                    { "Every box is a process of a real Kubernetes cluster. Every dot is a message between two of them, drawn while it is on the wire. " }
                    { "Nobody talks to etcd except the kube-apiserver, and every other component only talks to the kube-apiserver: they watch it for changes and write back what they did." }
                </p>
                <dl class="glossary">
                    { for ENTRIES.iter().map(|e| html! {
                        <>
                            <dt>{ e.title }</dt>
                            <dd>{ e.does }<br /><span class="sends">{ "Sends: " }{ e.sends }</span></dd>
                        </>
                    }) }
                </dl>
                <h3>{ "Reading the diagram" }</h3>
                <p>{ "Pods wait in the Unscheduled strip until the kube-scheduler binds them to a node; their chips are coloured by phase (Pending, Running, Succeeded, Failed, Unknown, or Terminating while being deleted). Click anything to inspect it; a moving dot opens the message it carries." }</p>
                <h3>{ "Time" }</h3>
                <p>{ "Time is virtual. While messages travel, the clock slows down so that each hop can be followed; Step shows one message leaving or arriving. Max runs the cluster as fast as the browser can, without animation." }</p>
                <h3>{ "Keys" }</h3>
                <ul>
                    <li><kbd>{ "?" }</kbd>{ " opens this help, " }<kbd>{ "Esc" }</kbd>{ " closes it; " }<kbd>{ "Space" }</kbd>{ " plays or pauses, " }<kbd>{ "." }</kbd>{ " steps (outside text fields)" }</li>
                    <li>{ "Terminal: " }<kbd>{ "Enter" }</kbd>{ " runs, " }<kbd>{ "↑" }</kbd><kbd>{ "↓" }</kbd>{ " history, " }<kbd>{ "Tab" }</kbd>{ " completes, " }<kbd>{ "Ctrl+C" }</kbd>{ " cancels, " }<kbd>{ "Ctrl+L" }</kbd>{ " clears" }</li>
                    <li>{ "Diagram: " }<kbd>{ "Tab" }</kbd>{ " moves between boxes and pods, " }<kbd>{ "Enter" }</kbd>{ " inspects" }</li>
                </ul>
                <p class="muted">{ "Your commands are saved in this browser and replayed on the same seed when you come back; Share puts them in a link, Reset starts over." }</p>
            </div>
        </div>
    }
}
