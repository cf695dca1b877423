//! The little markdown a lesson's prose uses, read into plain blocks the panel draws as text nodes:
//! paragraphs, headings, lists, code blocks, and `code`, **bold** and *emphasis* inside a line.
//! No HTML is ever passed through: a `<script>` in a lesson is shown as the text it is.

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(String),
    Emphasis(String),
}

/// A block of prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// `#`, `##`, ...: drawn one size for all, as the panel is small.
    Heading(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    /// A fenced block, as written.
    Code(String),
}

/// Reads prose into blocks. Lines of a paragraph or list item are joined with spaces; an indented
/// line continues the list item above it.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    // The text being gathered: a paragraph, or the items of a list.
    let mut para = String::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush(&mut out, &mut para, &mut list);
            let code: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            out.push(Block::Code(code.join("\n")));
        } else if trimmed.is_empty() {
            flush(&mut out, &mut para, &mut list);
        } else if let Some(heading) = heading(trimmed) {
            flush(&mut out, &mut para, &mut list);
            out.push(Block::Heading(inlines(heading)));
        } else if let Some((ordered, item)) = list_item(trimmed) {
            if !para.is_empty() || list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush(&mut out, &mut para, &mut list);
            }
            list.get_or_insert_with(|| (ordered, Vec::new())).1.push(item.to_string());
        } else if let Some(last) =
            list.as_mut().and_then(|(_, items)| items.last_mut()).filter(|_| line.starts_with(' '))
        {
            last.push(' ');
            last.push_str(trimmed);
        } else {
            if list.is_some() {
                flush(&mut out, &mut para, &mut list);
            }
            if !para.is_empty() {
                para.push(' ');
            }
            para.push_str(trimmed);
        }
    }
    flush(&mut out, &mut para, &mut list);
    out
}

fn flush(out: &mut Vec<Block>, para: &mut String, list: &mut Option<(bool, Vec<String>)>) {
    if !para.is_empty() {
        out.push(Block::Paragraph(inlines(&std::mem::take(para))));
    }
    if let Some((ordered, items)) = list.take() {
        out.push(Block::List { ordered, items: items.iter().map(|i| inlines(i)).collect() });
    }
}

fn heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    (rest.len() < line.len() && line.len() - rest.len() <= 6 && rest.starts_with(' ')).then(|| rest.trim())
}

/// `- item`, `* item`, `1. item`: whether it is numbered, and its text.
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, item.trim()));
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let item = line[digits..].strip_prefix(". ").filter(|_| digits > 0)?;
    Some((true, item.trim()))
}

/// Splits a line into text, `code`, **strong** and *emphasis*. A marker without its closing twin is
/// kept as text.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let span = match c {
            '`' => closed(rest, "`").map(|(inner, after)| (Inline::Code(inner.to_string()), after)),
            '*' if rest.starts_with("**") => {
                closed(rest, "**").map(|(inner, after)| (Inline::Strong(inner.to_string()), after))
            }
            // Only `*`: an underscore is part of names (snake_case) far more often than emphasis.
            '*' => closed(rest, "*")
                .filter(|(inner, _)| !inner.starts_with(' '))
                .map(|(inner, after)| (Inline::Emphasis(inner.to_string()), after)),
            _ => None,
        };
        match span {
            Some((inline, after)) => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(inline);
                rest = after;
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// For `rest` starting with `marker`: the text up to the next `marker` and what follows it.
fn closed<'a>(rest: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let body = &rest[marker.len()..];
    let end = body.find(marker).filter(|&e| e > 0)?;
    Some((&body[..end], &body[end + marker.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn inline_code_strong_and_emphasis() {
        let cases: [(&str, Vec<Inline>); 5] = [
            ("plain", vec![text("plain")]),
            (
                "run `kubectl get pods` **now**",
                vec![text("run "), Inline::Code("kubectl get pods".into()), text(" "), Inline::Strong("now".into())],
            ),
            ("a *watch* b", vec![text("a "), Inline::Emphasis("watch".into()), text(" b")]),
            ("2 * 3 and a lone ` tick", vec![text("2 * 3 and a lone ` tick")]),
            ("my_var_name", vec![text("my_var_name")]),
        ];
        for (line, want) in cases {
            assert_eq!(inlines(line), want, "{line}");
        }
    }

    #[test]
    fn paragraphs_headings_lists_and_code() {
        let prose = "# Title\n\nOne line\nand its continuation.\n\n1. first\n   goes on\n2. second\n- bullet\n\n```yaml\nkind: Pod\n  x: 1\n```\n<script>alert(1)</script>";
        assert_eq!(
            blocks(prose),
            vec![
                Block::Heading(vec![text("Title")]),
                Block::Paragraph(vec![text("One line and its continuation.")]),
                Block::List { ordered: true, items: vec![vec![text("first goes on")], vec![text("second")]] },
                Block::List { ordered: false, items: vec![vec![text("bullet")]] },
                Block::Code("kind: Pod\n  x: 1".into()),
                Block::Paragraph(vec![text("<script>alert(1)</script>")]),
            ]
        );
        assert_eq!(blocks(""), vec![]);
        assert_eq!(blocks("#hashtag"), vec![Block::Paragraph(vec![text("#hashtag")])]);
    }
}
