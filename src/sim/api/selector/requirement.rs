//! `labels.NewRequirement` and `Requirement.Matches`: the rules one `key op values` clause must meet,
//! with apimachinery's error words, and what it means for one label value.
//!
//! The rules are written once, as a walk that names each [`Problem`]; the parser and
//! `LabelSelectorAsSelector` turn problems into messages, while matching a JSON selector on the hot
//! path only asks whether there is one, so it never builds a message (nor allocates).

use std::ops::ControlFlow;

use super::{Op, Requirement, SelectorError};
use crate::sim::api::validation::gofmt::{quote, string_slice};
use crate::sim::api::validation::names::{
    is_qualified_name, is_qualified_name_ok, is_valid_label_value, is_valid_label_value_ok,
};

/// One `field.Error` that `NewRequirement` reports, before it is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// The key is not a qualified name.
    Key,
    /// `in`/`notin` without values.
    EmptySet,
    /// `=`, `==`, `!=` need exactly one value.
    NotOneValue,
    /// `exists`/`!` take no values.
    ValuesNotEmpty,
    /// `>`/`<` need exactly one value.
    GtLtNotOne,
    /// `>`/`<` value `i` is not an integer.
    NotInteger(usize),
    /// Value `i` is not a label value.
    BadValue(usize),
}

/// Walks `NewRequirement`'s checks in its order, calling `found` for each problem (it may stop the walk).
fn check<'v, I>(key: &str, op: Op, values: I, found: &mut impl FnMut(Problem) -> ControlFlow<()>) -> ControlFlow<()>
where
    I: Iterator<Item = &'v str> + Clone,
{
    if !is_qualified_name_ok(key) {
        found(Problem::Key)?;
    }
    let n = values.clone().count();
    match op {
        Op::In | Op::NotIn if n == 0 => found(Problem::EmptySet)?,
        Op::Equals | Op::DoubleEquals | Op::NotEquals if n != 1 => found(Problem::NotOneValue)?,
        Op::Exists | Op::DoesNotExist if n != 0 => found(Problem::ValuesNotEmpty)?,
        Op::GreaterThan | Op::LessThan => {
            if n != 1 {
                found(Problem::GtLtNotOne)?;
            }
            for (i, v) in values.clone().enumerate() {
                if v.parse::<i64>().is_err() {
                    found(Problem::NotInteger(i))?;
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.enumerate() {
        if !is_valid_label_value_ok(v) {
            found(Problem::BadValue(i))?;
        }
    }
    ControlFlow::Continue(())
}

/// Whether `NewRequirement` would accept the clause; allocation-free, for matching JSON selectors.
pub(super) fn is_valid<'v>(key: &str, op: Op, values: impl Iterator<Item = &'v str> + Clone) -> bool {
    check(key, op, values, &mut |_| ControlFlow::Break(())).is_continue()
}

/// `labels.NewRequirement`: the clause, or every problem in apimachinery's words (one error as
/// itself, several as Go's aggregate `[a, b]`). `nil` says the values were a nil slice, which Go
/// prints as `[]string(nil)` rather than `[]string{}` (`LabelSelectorAsSelector` passes nil for none).
pub(super) fn new_requirement(key: &str, op: Op, values: Vec<String>, nil: bool) -> Result<Requirement, SelectorError> {
    let mut errs: Vec<String> = Vec::new();
    let _ = check(key, op, values.iter().map(String::as_str), &mut |p| {
        let msg = word(p, key, &values, nil);
        // Go's aggregate drops repeated messages.
        if !errs.contains(&msg) {
            errs.push(msg);
        }
        ControlFlow::Continue(())
    });
    match errs.len() {
        0 => {
            let mut values = values;
            // A Go string set: sorted, each value once.
            values.sort_unstable();
            values.dedup();
            Ok(Requirement { key: key.to_string(), op, values })
        }
        1 => Err(SelectorError(errs.remove(0))),
        _ => Err(SelectorError(format!("[{}]", errs.join(", ")))),
    }
}

/// `field.Invalid(path, value, detail)` as `Error()` prints it.
fn word(p: Problem, key: &str, values: &[String], nil: bool) -> String {
    let all = || string_slice((!nil || !values.is_empty()).then_some(values));
    let at = |i: usize| values.get(i).map_or_else(String::new, |v| quote(v));
    match p {
        Problem::Key => format!("key: Invalid value: {}: {}", quote(key), is_qualified_name(key).join("; ")),
        Problem::EmptySet => {
            format!("values: Invalid value: {}: for 'in', 'notin' operators, values set can't be empty", all())
        }
        Problem::NotOneValue => {
            format!("values: Invalid value: {}: exact-match compatibility requires one single value", all())
        }
        Problem::ValuesNotEmpty => {
            format!("values: Invalid value: {}: values set must be empty for exists and does not exist", all())
        }
        Problem::GtLtNotOne => {
            format!("values: Invalid value: {}: for 'Gt', 'Lt' operators, exactly one value is required", all())
        }
        Problem::NotInteger(i) => {
            format!("values[{i}]: Invalid value: {}: for 'Gt', 'Lt' operators, the value must be an integer", at(i))
        }
        Problem::BadValue(i) => {
            let v = values.get(i).map_or("", String::as_str);
            format!("values[{i}][{key}]: Invalid value: {}: {}", quote(v), is_valid_label_value(v).join("; "))
        }
    }
}

impl Op {
    /// `Requirement.Matches` for the value a label has (`None`: the object lacks the key).
    pub fn admits<'v>(self, got: Option<&str>, mut values: impl Iterator<Item = &'v str>) -> bool {
        match self {
            Op::Equals | Op::DoubleEquals | Op::In => got.is_some_and(|g| values.any(|v| v == g)),
            Op::NotEquals | Op::NotIn => got.is_none_or(|g| !values.any(|v| v == g)),
            Op::Exists => got.is_some(),
            Op::DoesNotExist => got.is_none(),
            Op::GreaterThan | Op::LessThan => {
                // Both sides must be integers, and there must be exactly one value.
                let (Some(have), Some(want), None) = (
                    got.and_then(|g| g.parse::<i64>().ok()),
                    values.next().and_then(|v| v.parse::<i64>().ok()),
                    values.next(),
                ) else {
                    return false;
                };
                if self == Op::GreaterThan { have > want } else { have < want }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn new_requirement_words_every_rule() {
        let cases: [(&str, Op, &[&str], bool, &str); 9] = [
            (
                "a",
                Op::In,
                &[],
                false,
                "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
            ),
            (
                "a",
                Op::NotIn,
                &[],
                true,
                "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
            ),
            (
                "a",
                Op::Equals,
                &["x", "y"],
                false,
                "values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value",
            ),
            (
                "a",
                Op::Exists,
                &["x"],
                false,
                "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist",
            ),
            (
                "a",
                Op::GreaterThan,
                &["x"],
                false,
                "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
            ),
            (
                "a",
                Op::LessThan,
                &[],
                false,
                "values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required",
            ),
            (
                "a",
                Op::In,
                &["-x"],
                false,
                "values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
            (
                "a b",
                Op::Exists,
                &[],
                false,
                "key: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            (
                "a",
                Op::GreaterThan,
                &["-1"],
                false,
                "values[0][a]: Invalid value: \"-1\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
        ];
        for (key, op, values, nil, want) in cases {
            let got = new_requirement(key, op, strings(values), nil).map_err(|e| e.0);
            assert_eq!(got, Err(want.to_string()), "{key} {op:?} {values:?}");
            assert!(!is_valid(key, op, values.iter().copied()), "{key} {op:?} {values:?}");
        }
        let two = new_requirement("a b", Op::In, vec![], false).expect_err("two problems");
        assert!(two.0.starts_with("[key: Invalid value: \"a b\"") && two.0.ends_with("values set can't be empty]"));
        let ok = new_requirement("a", Op::In, strings(&["y", "x", "y"]), false).expect("valid");
        assert_eq!(ok.values, ["x", "y"], "a Go string set: sorted, deduplicated");
    }

    #[test]
    fn admits_each_operator() {
        let cases: [(Op, Option<&str>, &[&str], bool); 16] = [
            (Op::Equals, Some("x"), &["x"], true),
            (Op::DoubleEquals, Some("y"), &["x"], false),
            (Op::In, None, &["x"], false),
            (Op::In, Some("y"), &["x", "y"], true),
            (Op::NotEquals, None, &["x"], true),
            (Op::NotIn, Some("x"), &["x", "y"], false),
            (Op::NotIn, Some("z"), &["x", "y"], true),
            (Op::Exists, Some(""), &[], true),
            (Op::DoesNotExist, Some(""), &[], false),
            (Op::GreaterThan, Some("5"), &["4"], true),
            (Op::GreaterThan, Some("4"), &["4"], false),
            (Op::LessThan, Some("-3"), &["4"], true),
            (Op::LessThan, Some("x"), &["4"], false),
            (Op::GreaterThan, Some("5"), &["x"], false),
            (Op::GreaterThan, Some("5"), &["1", "2"], false),
            (Op::GreaterThan, None, &["1"], false),
        ];
        for (op, got, values, want) in cases {
            assert_eq!(op.admits(got, values.iter().copied()), want, "{op:?} {got:?} {values:?}");
        }
    }
}
