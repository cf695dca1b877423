//! Finding the manifest line an Apply error is about, to mark it in the editor's gutter.

/// The manifest line an error names: `yaml: line 7: ...`, `line 7:`, or `at line 7 column 3`.
pub fn kubectl_error_line(text: &str) -> Option<usize> {
    text.match_indices("line ").filter(|(at, _)| !text[..*at].ends_with(|c: char| c.is_alphanumeric())).find_map(
        |(at, _)| {
            let digits: String = text[at + 5..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok().filter(|n| *n > 0)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_are_found_in_kubectl_wording() {
        let cases = [
            (
                "error: error parsing STDIN: error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context",
                Some(7),
            ),
            ("error: error validating \"STDIN\": ... at line 12 column 3", Some(12)),
            ("The Pod \"x\" is invalid: spec.containers: Required value", None),
            ("line 0: nothing", None),
            ("line x", None),
            ("deadline 5 passed; see line 3", Some(3)),
        ];
        for (text, want) in cases {
            assert_eq!(kubectl_error_line(text), want, "{text}");
        }
    }
}
