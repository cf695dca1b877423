//! Draws a lesson's markdown (`markdown::blocks`) as elements whose text is only ever text.

use yew::prelude::*;

use super::markdown::{self, Block, Inline};

/// The prose as HTML elements.
pub fn render(text: &str) -> Html {
    html! { <>{ for markdown::blocks(text).iter().map(block) }</> }
}

/// One line's runs (a Try:, a Goal:, a hint).
pub fn line(text: &str) -> Html {
    inlines(&markdown::inlines(text))
}

fn block(b: &Block) -> Html {
    match b {
        Block::Paragraph(runs) => html! { <p>{ inlines(runs) }</p> },
        Block::Heading(runs) => html! { <h4>{ inlines(runs) }</h4> },
        Block::List { ordered: true, items } => {
            html! { <ol>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ol> }
        }
        Block::List { ordered: false, items } => {
            html! { <ul>{ for items.iter().map(|i| html! { <li>{ inlines(i) }</li> }) }</ul> }
        }
        Block::Code(code) => html! { <pre class="lesson-code">{ code.clone() }</pre> },
    }
}

fn inlines(runs: &[Inline]) -> Html {
    html! {
        <>{ for runs.iter().map(|r| match r {
            Inline::Text(t) => html! { { t.clone() } },
            Inline::Code(c) => html! { <code>{ c.clone() }</code> },
            Inline::Strong(s) => html! { <strong>{ s.clone() }</strong> },
            Inline::Emphasis(e) => html! { <em>{ e.clone() }</em> },
        }) }</>
    }
}
