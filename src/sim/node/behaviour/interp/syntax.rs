//! Reading shell syntax the interpreter cares about: assignments, constant loop conditions, loop
//! counters and brace ranges.

use super::super::shell::{Node, Part, Word};
use crate::sim::sort::StableSort;

/// `NAME=value` at the start of a command.
pub(super) fn assignment(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit(first)) = w.0.first() else { return None };
    let (name, rest) = first.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return None;
    }
    let mut parts = vec![Part::Lit(rest.to_string())];
    parts.extend(w.0[1..].iter().cloned());
    Some((name.to_string(), Word(parts)))
}

/// Whether a loop condition is a constant (`true`, `:`, `[ 1 ]`) with this truth value.
pub(super) fn is_constant(cond: &[Node], truth: bool) -> bool {
    let [Node::Simple { words, .. }] = cond else { return false };
    let lits: Vec<String> = words.iter().filter_map(Word::literal).collect();
    if lits.len() != words.len() {
        return false;
    }
    let lits: Vec<&str> = lits.iter().map(String::as_str).collect();
    match lits.as_slice() {
        ["true"] | [":"] | ["[", "1", "]"] | ["[", "true", "]"] | ["/bin/true"] => truth,
        ["false"] | ["/bin/false"] => !truth,
        _ => false,
    }
}

/// Variables a loop body increments (`i=$((i+1))`, `let i++`): they become counters.
pub(super) fn counters(body: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    for n in body {
        match n {
            Node::Simple { words, .. } => {
                if let Some((name, value)) = words.first().and_then(assignment)
                    && value.0.iter().any(|p| matches!(p, Part::Arith(e) if e.contains(name.as_str())))
                {
                    out.push(name);
                } else if words.first().and_then(Word::literal).as_deref() == Some("let")
                    && let Some(arg) = words.get(1).and_then(Word::literal)
                {
                    let name: String = arg.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            }
            Node::Group(inner) | Node::If { then: inner, .. } => out.extend(counters(inner)),
            _ => {}
        }
    }
    out.stable_sort();
    out.dedup();
    out
}

/// Bash brace ranges in `for` lists: `{1..5}`.
pub(super) fn brace_range(item: &str) -> Vec<String> {
    let inner = item.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
    if let Some((a, b)) = inner.and_then(|s| s.split_once(".."))
        && let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>())
        && (b - a).abs() < 10_000
    {
        return if a <= b {
            (a..=b).map(|i| i.to_string()).collect()
        } else {
            (b..=a).rev().map(|i| i.to_string()).collect()
        };
    }
    vec![item.to_string()]
}
