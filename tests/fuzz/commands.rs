//! Random kubectl command lines: words of kubectl's vocabulary, quotes, stray characters, and flags
//! whose values kubectl parses itself (jsonpath, selectors, durations, numbers).

use proptest::prelude::*;

const WORDS: &[&str] = &[
    "kubectl", "get", "describe", "delete", "apply", "create", "run", "label", "annotate", "scale", "wait", "explain",
    "version", "cluster-info", "api-resources", "api-versions", "config", "edit", "logs", "exec", "rollout", "set",
    "drain", "cordon", "top", "pods", "po", "deployments", "deploy/web", "pod/lonely", "ns", "nodes", "all", "events",
    "configmap", "secret", "generic", "svc", "jobs", "cm", "web", "lonely", "demo", "-n", "demo", "-A", "--all-namespaces",
    "-o", "wide", "yaml", "json", "name", "-o=jsonpath={.items[*].metadata.name}", "-ojsonpath={.spec..image}",
    "-o=custom-columns=N:.metadata.name", "-o=go-template={{.}}", "-l", "app=x", "app!=x", "app in (x,y)", "-l=",
    "--selector=app", "--field-selector=status.phase=Running", "--field-selector=", "-w", "--watch",
    "--replicas=0", "--replicas=-1", "--replicas=99999999999999999999", "--image=nginx", "--image=", "--for=condition=Available",
    "--for=delete", "--timeout=1s", "--timeout=-1s", "--timeout=abc", "--dry-run=client", "--dry-run=bogus", "--grace-period=0",
    "--force", "--overwrite", "tier=web", "tier-", "a=b=c", "=", "-", "--", "---", "-f", "-f=-", "--from-literal=a=b",
    "--from-literal=", "--port=80", "--restart=Never", "--", "sh", "-c", "'echo hi'", "\"quoted words\"", "'", "\"", "\\",
    "\\\"", "''", "\"\"", "é", "🙂", "\t", "$(x)", "|", ">", ";", "&&", "*", "?", "{", "}", "[", "]", "%", "\u{0}",
];

/// Flags whose values kubectl parses itself (templates, selectors, durations, numbers), with values
/// from the alphabet of their little languages, quoted so that they reach the parser in one piece.
pub fn parsed_flag() -> impl Strategy<Value = String> {
    let flags = prop::sample::select(&[
        "-o=jsonpath=", "-o=custom-columns=", "-o=go-template=", "-l=", "--selector=", "--field-selector=", "--for=",
        "--for=jsonpath=", "--for=condition=", "--timeout=", "--replicas=", "--grace-period=", "--sort-by=", "-o=",
    ][..]);
    (flags, "[{}\\[\\]().,*@?=!<>:'\"$a-z0-9 _-]{0,24}").prop_map(|(f, v)| format!("'{f}{}'", v.replace('\'', "")))
}

pub fn command_line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        8 => prop::sample::select(WORDS).prop_map(str::to_string),
        2 => parsed_flag(),
        1 => "\\PC{0,10}",
        1 => "--[a-z-]{1,12}(=[a-z0-9]{0,5})?",
    ];
    prop::collection::vec(word, 0..9).prop_map(|w| w.join(" "))
}
