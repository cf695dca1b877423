//! The root component: lays out the diagram, terminal, editor and inspector regions.

use yew::prelude::*;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main class="app">
            <section data-testid="diagram" class="diagram"></section>
            <section data-testid="terminal" class="terminal"></section>
            <section data-testid="editor" class="editor"></section>
        </main>
    }
}
