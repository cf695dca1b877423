//! Word wrapping as kubectl's explain templates do it (github.com/mitchellh/go-wordwrap, then
//! sprig's `indent`), so that a description breaks at the same words as real kubectl's.

/// Breaks `s` at spaces so that lines are at most `limit` characters where a word allows: a word
/// longer than the limit (a URL) gets a line of its own and is never cut. Existing newlines stay;
/// the space where a line is broken is dropped, other runs of spaces are kept (go-wordwrap 1.0.1).
pub fn wrap(s: &str, limit: usize) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / limit.max(1));
    // `current` is the width of the line written so far; `space` and `word` wait to be written
    // until the word ends, so that a break can go before the word in place of the space.
    let (mut current, mut space, mut word) = (0usize, String::new(), String::new());
    let (mut space_len, mut word_len) = (0usize, 0usize);
    for c in s.chars() {
        if c == '\n' {
            if word.is_empty() && current + space_len > limit {
                space.clear();
            }
            out.push_str(&space);
            out.push_str(&word);
            space.clear();
            word.clear();
            (space_len, word_len) = (0, 0);
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
                (space_len, word_len) = (0, 0);
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// Puts `pad` spaces before every line, the empty ones and the one after a final newline included
/// (sprig's `indent`: kubectl's DESCRIPTION ends in a line of four spaces because of it).
pub fn indent(s: &str, pad: usize) -> String {
    let pad = " ".repeat(pad);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_before_the_word_that_would_pass_the_limit() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaa bbb ccc", 6), "aaa\nbbb\nccc");
        assert_eq!(wrap("short", 76), "short");
    }

    #[test]
    fn a_long_word_gets_its_own_line_and_spaces_inside_a_line_stay() {
        assert_eq!(
            wrap("see: https://example.com/a/very/long/path next", 10),
            "see:\nhttps://example.com/a/very/long/path\nnext"
        );
        assert_eq!(wrap("JSON.  Wrappers", 76), "JSON.  Wrappers");
    }

    #[test]
    fn keeps_newlines_and_blank_lines() {
        assert_eq!(wrap("one\n\ntwo three", 5), "one\n\ntwo\nthree");
    }

    #[test]
    fn indents_every_line_the_last_empty_one_too() {
        assert_eq!(indent("a\n\nb\n", 4), "    a\n    \n    b\n    ");
    }
}
