//! The log subresource's options, container choice and cut, with the apiserver's refusals.

use serde_json::json;

use super::*;

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn options_come_from_the_query() {
    let r = LogRequest::from_query(
        "default",
        "web",
        &query(&[("container", "c"), ("tailLines", "3"), ("timestamps", "true"), ("follow", "1"), ("limitBytes", "9")]),
    )
    .expect("valid");
    assert_eq!(r.container.as_deref(), Some("c"));
    assert_eq!((r.tail_lines, r.timestamps, r.follow, r.limit_bytes), (Some(3), true, true, Some(9)));
    assert!(!r.previous);
}

#[test]
fn bad_options_are_refused_in_the_apiservers_words() {
    let refused =
        |pairs: &[(&str, &str)]| LogRequest::from_query("default", "web", &query(pairs)).expect_err("refused");
    let s = refused(&[("tailLines", "-1")]);
    assert_eq!(
        (s.code, s.message.as_str()),
        (422, "PodLogOptions \"web\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0")
    );
    assert_eq!(refused(&[("sinceSeconds", "0")]).code, 422);
    assert_eq!(refused(&[("limitBytes", "x")]).code, 400);
    assert_eq!(refused(&[("sinceTime", "yesterday")]).code, 400);
    let both = refused(&[("sinceSeconds", "5"), ("sinceTime", "2025-01-01T00:00:00Z")]);
    assert!(
        both.message.ends_with("at most one of `sinceTime` or `sinceSeconds` may be specified"),
        "{}",
        both.message
    );
}

#[test]
fn the_container_is_the_one_named_or_the_only_one() {
    let one = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}});
    assert_eq!(container_of(&one, None).as_deref(), Ok("a"));
    let two = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "i"}]}});
    assert_eq!(container_of(&two, Some("i")).as_deref(), Ok("i"));
    let s = container_of(&two, None).expect_err("ambiguous");
    assert_eq!(
        s.message,
        "a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]"
    );
    assert_eq!(container_of(&two, Some("z")).expect_err("unknown").message, "container z is not valid for pod p");
}

#[test]
fn the_cut_takes_since_then_tail_then_bytes() {
    let lines: Vec<(Millis, String)> = (1..=5).map(|i| (i * 1000, format!("line {i}"))).collect();
    let r = |f: fn(&mut LogRequest)| {
        let mut r = LogRequest::default();
        f(&mut r);
        r
    };
    assert_eq!(cut(lines.clone(), &r(|r| r.tail_lines = Some(2)), 5_000), "line 4\nline 5\n");
    assert_eq!(cut(lines.clone(), &r(|r| r.since_seconds = Some(2)), 5_000), "line 3\nline 4\nline 5\n");
    assert_eq!(cut(lines.clone(), &r(|r| r.limit_bytes = Some(8)), 5_000), "line 1\nl");
    assert_eq!(
        cut(
            lines,
            &r(|r| {
                r.tail_lines = Some(1);
                r.timestamps = true
            }),
            5_000
        ),
        "2025-01-01T00:00:05Z line 5\n"
    );
}
