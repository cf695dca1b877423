//! Tab completion for kubectl: verbs, resource kinds, then the names of existing objects.

/// kubectl's commands, in the order `kubectl help` groups them.
pub const VERBS: [&str; 29] = [
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "exec",
    "port-forward",
    "events",
    "apply",
    "patch",
    "replace",
    "wait",
    "label",
    "annotate",
    "api-resources",
    "cluster-info",
    "version",
];

/// Kinds offered after a verb: plural names, then the short names kubectl users type.
pub const KINDS: [&str; 31] = [
    "all",
    "configmaps",
    "cronjobs",
    "daemonsets",
    "deployments",
    "endpoints",
    "endpointslices",
    "events",
    "ingresses",
    "jobs",
    "leases",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "replicasets",
    "secrets",
    "serviceaccounts",
    "services",
    "statefulsets",
    "cm",
    "deploy",
    "ds",
    "ep",
    "no",
    "ns",
    "po",
    "rs",
    "sts",
    "svc",
];

/// Verbs whose first argument is an object name rather than a kind.
fn names_of_verb(verb: &str) -> Option<&'static str> {
    match verb {
        "cordon" | "uncordon" | "drain" => Some("nodes"),
        "logs" | "exec" | "port-forward" => Some("pods"),
        _ => None,
    }
}

/// The outcome of pressing Tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The new input line.
    pub line: String,
    /// Several candidates remain: they are listed for the learner.
    pub options: Vec<String>,
}

/// Completes the last word of `line`. `names(kind, namespace)` lists existing objects of a kind.
pub fn complete(line: &str, names: &dyn Fn(&str, Option<&str>) -> Vec<String>) -> Completion {
    let (head, word) = match line.rfind(char::is_whitespace) {
        Some(i) => line.split_at(i + 1),
        None => ("", line),
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    let namespace = words.windows(2).find(|w| w[0] == "-n" || w[0] == "--namespace").map(|w| w[1]);
    // Positional words after `kubectl`, skipping flags and the values of -n/--namespace.
    let mut args = Vec::new();
    let mut skip = false;
    for w in words.iter().skip(1) {
        if skip {
            skip = false;
        } else if *w == "-n" || *w == "--namespace" {
            skip = true;
        } else if !w.starts_with('-') {
            args.push(*w);
        }
    }
    let candidates: Vec<String> = match words.first() {
        None => ["kubectl", "curl", "jobs", "kill", "clear", "help", "history"].map(String::from).to_vec(),
        Some(&"kubectl") | Some(&"k") if word.starts_with('-') => Vec::new(),
        Some(&"kubectl") | Some(&"k") => match args.as_slice() {
            [] => VERBS.iter().map(|v| v.to_string()).collect(),
            [verb] => match (names_of_verb(verb), word.split_once('/')) {
                (Some(kind), _) => names(kind, namespace),
                (None, Some((kind, _))) => names(kind, namespace).into_iter().map(|n| format!("{kind}/{n}")).collect(),
                (None, None) => KINDS.iter().map(|k| k.to_string()).collect(),
            },
            [verb, kind, ..] if names_of_verb(verb).is_none() && !kind.contains('/') => names(kind, namespace),
            _ => Vec::new(),
        },
        Some(_) => Vec::new(),
    };
    let matching: Vec<String> = candidates.into_iter().filter(|c| c.starts_with(word)).collect();
    match matching.as_slice() {
        [] => Completion { line: line.to_string(), options: Vec::new() },
        [only] => Completion { line: format!("{head}{only} "), options: Vec::new() },
        many => {
            let prefix = common_prefix(many);
            Completion {
                line: format!("{head}{}", if prefix.len() > word.len() { prefix } else { word }),
                options: many.to_vec(),
            }
        }
    }
}

fn common_prefix(words: &[String]) -> &str {
    let first = words[0].as_str();
    let len = words[1..].iter().fold(first.len(), |len, w| {
        first.char_indices().zip(w.chars()).take_while(|((_, a), b)| a == b).count().min(len)
    });
    let end = first.char_indices().nth(len).map_or(first.len(), |(i, _)| i);
    &first[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: &str, ns: Option<&str>) -> Vec<String> {
        match (kind, ns) {
            ("pods" | "po", None) => vec!["web-1".into(), "web-2".into(), "db".into()],
            ("pods" | "po", Some("kube-system")) => vec!["coredns-abc".into()],
            ("nodes", _) => vec!["kind-worker".into(), "kind-worker2".into()],
            ("deployment", None) => vec!["web".into()],
            _ => Vec::new(),
        }
    }

    #[test]
    fn completes_verbs_kinds_and_names() {
        let cases = [
            ("kub", "kubectl ", vec![]),
            ("kubectl ge", "kubectl get ", vec![]),
            ("kubectl de", "kubectl de", vec!["delete", "describe"]),
            ("kubectl get dep", "kubectl get deploy", vec!["deployments", "deploy"]),
            ("kubectl get st", "kubectl get st", vec!["statefulsets", "sts"]),
            ("kubectl get se", "kubectl get se", vec!["secrets", "serviceaccounts", "services"]),
            ("kubectl get ser", "kubectl get service", vec!["serviceaccounts", "services"]),
            ("kubectl get po", "kubectl get po", vec!["pods", "po"]),
            ("kubectl get pods w", "kubectl get pods web-", vec!["web-1", "web-2"]),
            ("kubectl get pods d", "kubectl get pods db ", vec![]),
            ("kubectl get pods -n kube-system c", "kubectl get pods -n kube-system coredns-abc ", vec![]),
            ("kubectl -n kube-system get pods c", "kubectl -n kube-system get pods coredns-abc ", vec![]),
            ("kubectl cordon kind-worker", "kubectl cordon kind-worker", vec!["kind-worker", "kind-worker2"]),
            ("kubectl delete deployment/w", "kubectl delete deployment/web ", vec![]),
            ("kubectl get pods --all", "kubectl get pods --all", vec![]),
            ("kubectl get pods web-1 x", "kubectl get pods web-1 x", vec![]),
            ("ls ", "ls ", vec![]),
            ("", "", vec!["kubectl", "curl", "jobs", "kill", "clear", "help", "history"]),
            ("k get no", "k get no", vec!["nodes", "no"]),
        ];
        for (line, want_line, want_options) in cases {
            let got = complete(line, &names);
            assert_eq!(got.line, want_line, "{line:?}");
            assert_eq!(got.options, want_options, "{line:?}");
        }
    }

    #[test]
    fn common_prefix_is_char_safe() {
        assert_eq!(common_prefix(&["héllo".into(), "hélp".into()]), "hél");
        assert_eq!(common_prefix(&["abc".into(), "xyz".into()]), "");
        assert_eq!(common_prefix(&["same".into(), "same".into()]), "same");
    }
}
