//! The `message` check: a message of the trace, from one component to another, about an object,
//! sent since the step began ("kube-scheduler bound a pod of web"), never "the learner typed X".
//!
//! ```text
//! message FROM -> TO [VERB] [KIND[/NAME]] [--subresource SUB] [-n NS | -A]
//!   message kube-scheduler -> kube-apiserver POST pod/web-* --subresource binding
//!   message kubelet -> container-runtime RunPodSandbox pod/hello -n tour
//!   message kube-controller-manager -> kube-apiserver create replicasets
//! ```
//! FROM and TO are components as the diagram names them; `kubelet` is any node's kubelet
//! (`kubelet/sandbox-worker2` one node's), `*` any component. VERB is the first word of the message
//! as the story prints it (`POST`, `ADDED`, `txn`, `RunPodSandbox`), compared without case, or an
//! API verb, which the kube-apiserver maps from the HTTP method as upstream's `RequestInfoFactory`
//! does (`create` POST, `update` PUT, `patch` PATCH, `delete` DELETE, `get`/`list`/`watch` GET).
//! NAME may hold `*` (any characters). What a message is about is read from the trace entry: its
//! etcd key, its request path, or the `Kind namespace/name` a watch event or a CRI call names.

use super::{Scope, Target};
use crate::sim::api::ResourceType;
use crate::sim::api::registry::{resolve, storage_prefix};
use crate::sim::component::Component;
use crate::sim::trace::TraceEntry;
use crate::sim::world::World;

/// A parsed `message` check.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageCheck {
    pub from: String,
    pub to: String,
    /// The summary's first word to match, upper-cased; none: any.
    pub verb: Option<String>,
    /// The object, its name a pattern; none: any object (or none).
    pub about: Option<Target>,
    pub subresource: Option<String>,
}

/// API verbs, as the kube-apiserver names a request by its HTTP method
/// (`staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go`).
const API_VERBS: [(&str, &str); 7] = [
    ("create", "POST"),
    ("update", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("get", "GET"),
    ("list", "GET"),
    ("watch", "GET"),
];

const USAGE: &str = "message takes FROM -> TO [VERB] [KIND[/NAME]] [--subresource SUB], \
                     e.g. message kube-scheduler -> kube-apiserver POST pod/web-* --subresource binding";

/// Parses the words after `message` (`-n`/`-A` already taken out into `scope`).
pub fn parse(words: &[String], scope: Scope) -> Result<MessageCheck, String> {
    let mut words = words.to_vec();
    let mut subresource = None;
    if let Some(i) = words.iter().position(|w| w == "--subresource" || w.starts_with("--subresource=")) {
        let value = match words[i].split_once('=') {
            Some((_, v)) => v.to_string(),
            None if i + 1 < words.len() => words.remove(i + 1),
            None => return Err("--subresource needs a name, e.g. --subresource binding".into()),
        };
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(format!("a subresource is a lower-case word such as binding or status, not {value:?}"));
        }
        words.remove(i);
        subresource = Some(value);
    }
    let [from, arrow, to, rest @ ..] = &words[..] else { return Err(USAGE.into()) };
    if arrow != "->" && arrow != "→" {
        return Err(format!("expected -> between the two components, got {arrow:?} ({USAGE})"));
    }
    let (from, to) = (component(from)?, component(to)?);
    let is_object = |w: &String| w.contains('/') || resolve(w).is_some();
    let (verb, object) = match rest {
        [] => (None, None),
        [w] if is_object(w) => (None, Some(w)),
        [w] => (Some(w), None),
        [v, o] => (Some(v), Some(o)),
        _ => return Err(USAGE.into()),
    };
    let verb = verb.map(|v| parse_verb(v)).transpose()?;
    let about = object.map(|o| target(o, scope)).transpose()?;
    if subresource.is_some() && about.is_none() {
        return Err(format!("--subresource needs a KIND to belong to ({USAGE})"));
    }
    Ok(MessageCheck { from, to, verb, about, subresource })
}

/// A component pattern: `*`, a role (`kubelet`), or a component as the diagram names it.
fn component(word: &str) -> Result<String, String> {
    let known = word == "*" || Component::parse(word).is_some() || Component::parse(&format!("{word}/n")).is_some();
    if !known {
        return Err(format!(
            "unknown component {word:?} (kubectl, kube-apiserver, etcd, kube-scheduler, kube-controller-manager, \
             cloud-controller-manager, kubelet, kube-proxy, container-runtime, optionally /NODE, or *)"
        ));
    }
    Ok(word.to_string())
}

fn parse_verb(word: &str) -> Result<String, String> {
    if let Some((_, method)) = API_VERBS.iter().find(|(v, _)| v.eq_ignore_ascii_case(word)) {
        return Ok(method.to_string());
    }
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("a verb is one word as the story prints it (POST, ADDED, RunPodSandbox), not {word:?}"));
    }
    Ok(word.to_ascii_uppercase())
}

/// `KIND` (any object of the kind) or `KIND/NAME` (NAME may hold `*`).
fn target(word: &str, scope: Scope) -> Result<Target, String> {
    let (kind, name) = word.split_once('/').unwrap_or((word, "*"));
    if name.is_empty() {
        return Err(format!("{word:?} has no name after the slash"));
    }
    let resource = resolve(kind)
        .ok_or_else(|| format!("unknown kind {kind:?} (use a kubectl name: pods, deployment, svc, node ...)"))?;
    Ok(Target { resource, name: name.to_string(), scope })
}

/// What a message is about, as far as its trace entry says.
#[derive(Debug, PartialEq)]
struct Subject<'e> {
    namespace: Option<&'e str>,
    name: &'e str,
    subresource: Option<&'e str>,
}

/// The object `e` is about if it is of kind `rt`: from its request path, its etcd key, or the
/// `Kind ns/name` of a watch event or a response, or the pod a CRI call names.
fn subject<'e>(e: &'e TraceEntry, rt: &ResourceType) -> Option<Subject<'e>> {
    let mut words = e.summary.split_whitespace();
    words.next()?;
    let second = words.next().unwrap_or_default();
    if second.starts_with("/api") {
        let path = second.split(['?', ':']).next().unwrap_or_default();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        // `/api/v1/...` or `/apis/GROUP/VERSION/...`
        let rest = if segs.first() == Some(&"api") { segs.get(2..)? } else { segs.get(3..)? };
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
            _ => (None, rest),
        };
        let [plural, more @ ..] = rest else { return None };
        if *plural != rt.plural {
            return None;
        }
        // A create names no object in its path; its key does, once the name is known (a generated
        // name is not: then only `*` matches it).
        let name = match more.first() {
            Some(n) => n,
            None => e.key.as_deref().and_then(|k| k.rsplit('/').next()).unwrap_or_default(),
        };
        return Some(Subject { namespace, name, subresource: more.get(1).copied() });
    }
    if let Some(key) = &e.key {
        let rest = key.strip_prefix(&storage_prefix(rt, None))?;
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) if rt.namespaced => (Some(ns), name),
            _ => (None, rest),
        };
        return Some(Subject { namespace, name, subresource: None });
    }
    let named = |word: &'e str| match word.split_once('/') {
        Some((ns, name)) => Subject { namespace: Some(ns), name, subresource: None },
        None => Subject { namespace: None, name: word, subresource: None },
    };
    match e.kind {
        "cri" if rt.plural == "pods" => e.summary.split_whitespace().rfind(|w| w.contains('/')).map(named),
        "watch" | "response" if second == rt.kind => words.next().map(named),
        _ => None,
    }
}

/// `*` matches any characters; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else { return false };
            (0..=rest.len()).filter(|&i| rest.is_char_boundary(i)).any(|i| glob(tail, &rest[i..]))
        }
    }
}

fn component_matches(pattern: &str, name: &str) -> bool {
    pattern == "*" || pattern == name || name.split_once('/').is_some_and(|(role, _)| role == pattern)
}

impl MessageCheck {
    /// Whether trace entry `e` is such a message.
    pub fn matches(&self, e: &TraceEntry) -> bool {
        if !component_matches(&self.from, &e.from) || !component_matches(&self.to, &e.to) {
            return false;
        }
        if let Some(verb) = &self.verb
            && !e.summary.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case(verb))
        {
            return false;
        }
        let Some(t) = &self.about else { return true };
        let Some(s) = subject(e, t.resource) else { return false };
        let namespace_ok = match (&t.scope, s.namespace) {
            (Scope::Namespace(ns), Some(got)) if t.resource.namespaced => ns == got,
            _ => true,
        };
        namespace_ok
            && glob(&t.name, s.name)
            && self.subresource.as_deref().is_none_or(|sub| s.subresource == Some(sub))
    }

    /// `kube-scheduler → kube-apiserver POST pod web-* (binding) in namespace default`.
    fn describe(&self) -> String {
        let mut s = format!("{} → {}", self.from, self.to);
        if let Some(v) = &self.verb {
            s.push_str(&format!(" {v}"));
        }
        if let Some(t) = &self.about {
            s.push_str(&format!(" {}", t.resource.singular));
            if t.name != "*" {
                s.push_str(&format!(" {}", t.name));
            }
            if let Some(sub) = &self.subresource {
                s.push_str(&format!(" ({sub})"));
            }
            if let (Scope::Namespace(ns), true) = (&t.scope, t.resource.namespaced) {
                s.push_str(&format!(" in namespace {ns}"));
            }
        }
        s
    }

    /// The messages sent from id `since` on that match, oldest first: passes with at least one.
    /// Returns whether it passed, the words, and the first matching message's id.
    pub fn evaluate(&self, world: &World, since: u64) -> (bool, String, Option<u64>) {
        let entries = world.k.trace.entries();
        let from = entries.partition_point(|e| e.id < since);
        let mut found = entries.range(from..).filter(|e| self.matches(e));
        match found.next() {
            None => (false, format!("no message {} since this step began", self.describe()), None),
            Some(first) => {
                let more = found.count();
                let others = if more == 0 { String::new() } else { format!(" (and {more} more)") };
                (true, format!("{} → {}: {}{others}", first.from, first.to, first.summary), Some(first.id))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::trace::Fate;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn check(s: &str) -> MessageCheck {
        parse(&words(s), Scope::Namespace("default".into())).expect(s)
    }

    fn entry(from: &str, to: &str, kind: &'static str, summary: &str, key: Option<&str>) -> TraceEntry {
        TraceEntry {
            id: 1,
            from: from.into(),
            to: to.into(),
            kind,
            summary: summary.into(),
            key: key.map(str::to_string),
            revision: None,
            sent_at: 0,
            deliver_at: 0,
            fate: Fate::Delivered,
            cause: None,
            decision: None,
        }
    }

    #[test]
    fn bad_message_checks_say_why() {
        let cases = [
            ("kube-scheduler kube-apiserver", "message takes FROM -> TO"),
            ("kube-scheduler => kube-apiserver", "expected -> between"),
            ("kube-schedular -> kube-apiserver", "unknown component \"kube-schedular\""),
            ("kube-scheduler -> kube-apiserver POST pods extra", "message takes FROM -> TO"),
            ("kube-scheduler -> kube-apiserver PO-ST pods", "a verb is one word"),
            ("kube-scheduler -> kube-apiserver POST podz/web", "unknown kind \"podz\""),
            ("kube-scheduler -> kube-apiserver POST pod/", "no name after the slash"),
            ("kube-scheduler -> kube-apiserver POST --subresource binding", "needs a KIND"),
            ("kube-scheduler -> kube-apiserver POST pods --subresource", "--subresource needs a name"),
            ("kube-scheduler -> kube-apiserver POST pods --subresource Binding", "lower-case word"),
        ];
        for (text, want) in cases {
            let e = parse(&words(text), Scope::All).expect_err(text);
            assert!(e.contains(want), "{text:?}: want {want:?}, got {e:?}");
        }
    }

    #[test]
    fn which_messages_a_check_matches() {
        let bind = entry(
            "kube-scheduler",
            "kube-apiserver",
            "request",
            "POST /api/v1/namespaces/default/pods/web-7d4-66c7x/binding",
            Some("/registry/pods/default/web-7d4-66c7x"),
        );
        let create_pod =
            entry("kube-controller-manager", "kube-apiserver", "request", "POST /api/v1/namespaces/default/pods", None);
        let create_rs = entry(
            "kube-controller-manager",
            "kube-apiserver",
            "request",
            "POST /apis/apps/v1/namespaces/default/replicasets",
            Some("/registry/replicasets/default/web-7d4"),
        );
        let watch = entry("kube-apiserver", "kubelet/sandbox-worker2", "watch", "ADDED Pod tour/hello", None);
        let cri = entry(
            "kubelet/sandbox-worker2",
            "container-runtime/sandbox-worker2",
            "cri",
            "CreateContainer nginx in tour/hello",
            None,
        );
        let etcd = entry(
            "kube-apiserver",
            "etcd",
            "etcd",
            "txn put /registry/minions/sandbox-worker",
            Some("/registry/minions/sandbox-worker"),
        );
        let cases: [(&str, &TraceEntry, bool); 19] = [
            ("kube-scheduler -> kube-apiserver POST pod/web-* --subresource binding", &bind, true),
            ("kube-scheduler -> kube-apiserver create pods --subresource=binding", &bind, true),
            ("kube-scheduler -> kube-apiserver POST pod/web-* --subresource status", &bind, false),
            ("kube-scheduler -> kube-apiserver POST pod/api-*", &bind, false),
            ("kube-scheduler -> kube-apiserver POST pod/web-* -n tour", &bind, false),
            ("* -> kube-apiserver", &bind, true),
            ("kube-scheduler -> etcd", &bind, false),
            ("kube-scheduler -> kube-apiserver PUT", &bind, false),
            ("kube-controller-manager -> kube-apiserver create pods", &create_pod, true),
            ("kube-controller-manager -> kube-apiserver create pod/web-*", &create_pod, false),
            ("kube-controller-manager -> kube-apiserver POST", &create_pod, true),
            ("kube-controller-manager -> kube-apiserver create rs/web-*", &create_rs, true),
            ("kube-controller-manager -> kube-apiserver create deployments", &create_rs, false),
            ("kube-apiserver -> kubelet ADDED pod/hello -n tour", &watch, true),
            ("kube-apiserver -> kubelet/sandbox-worker ADDED pod/hello -n tour", &watch, false),
            ("kubelet -> container-runtime createcontainer pod/hello -n tour", &cri, true),
            ("kubelet -> container-runtime CreateContainer pod/hello", &cri, false),
            ("kube-apiserver -> etcd txn node/sandbox-*", &etcd, true),
            ("kube-apiserver -> etcd txn pods", &etcd, false),
        ];
        for (text, e, want) in cases {
            let c = if text.contains("-n tour") {
                let text = text.replace(" -n tour", "");
                parse(&words(&text), Scope::Namespace("tour".into())).expect(text.as_str())
            } else {
                check(text)
            };
            assert_eq!(c.matches(e), want, "{text:?} on {:?}", e.summary);
        }
    }

    #[test]
    fn glob_matches_any_characters_at_a_star() {
        let cases = [
            ("web-*", "web-7d4", true),
            ("web-*", "web", false),
            ("*", "", true),
            ("a*c*e", "abcde", true),
            ("a*c", "abd", false),
            ("web", "web", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(glob(p, t), want, "{p} on {t}");
        }
    }
}
