//! ingress-nginx's routing: the nginx servers and locations it generates from the Ingresses of its
//! class, and which one a request's `Host` and path select.
//!
//! How the controller builds them (`internal/ingress/controller/controller.go`, `createServers`,
//! `getBackendServers`, `location.go` `updateServerLocations`; `template.go` `buildServerName`):
//!
//! ```text
//!   server "_" (the catch-all)          location /  -> the controller's default backend (404)
//!   per Ingress, oldest first:
//!     no rules + defaultBackend         the catch-all's `/` goes to that Service instead
//!     each rule's host ("" is "_")      a server, its `/` at the Ingress's defaultBackend (or 404)
//!     each path                         a location; a path already taken keeps its first Ingress,
//!                                       except the placeholder `/`, which the path replaces
//!   Prefix /foo    -> `location /foo/` and `location = /foo` (matching by path elements)
//!   Exact /foo     -> `location = /foo`
//!   ImplementationSpecific /foo -> `location /foo` (nginx's plain string prefix)
//! ```
//!
//! nginx then picks the server by exact name, else the first wildcard (`*.example.com` becomes
//! `~^(?<subdomain>[\w-]+)\.example\.com$`: one label only) in hostname order, else `_`; and in it
//! an exact (`=`) location, else the longest prefix.

use serde_json::Value;

use crate::sim::api::pointer::Pointer;
use crate::sim::sort::StableSort;

/// The catch-all server's name.
const CATCH_ALL: &str = "_";

/// A Service port as an Ingress backend names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

/// Where a location sends a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Service port of the Ingress's namespace.
    Service { namespace: String, name: String, port: PortRef },
    /// The controller's own default backend: nginx's 404.
    DefaultBackend,
}

#[derive(Debug, Clone)]
struct Location {
    /// The nginx location's string: `/foo/` for a Prefix path, `/foo` for the others.
    path: String,
    /// `location = path`.
    exact: bool,
    /// The Ingress path and type it came from, to tell a duplicate (first Ingress wins).
    source: (String, &'static str),
    /// The Ingress (`namespace/name`) it came from; empty for the placeholder's default backend.
    ingress: String,
    target: Target,
    /// The placeholder `/` every server starts with, which a rule's own `/` replaces.
    placeholder: bool,
}

#[derive(Debug, Clone)]
struct Server {
    host: String,
    locations: Vec<Location>,
}

/// The generated configuration: servers sorted by hostname, `_` among them.
#[derive(Debug, Clone)]
pub struct Routes {
    servers: Vec<Server>,
}

fn str_at<'v>(v: &'v Value, p: &str) -> &'v str {
    v.at(p).and_then(Value::as_str).unwrap_or_default()
}

/// An Ingress backend as a target (a `resource` backend is not something nginx can proxy to).
fn target(namespace: &str, backend: &Value) -> Target {
    let Some(svc) = backend.get("service").filter(|s| !s.is_null()) else { return Target::DefaultBackend };
    let port = match svc.at("/port/name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
        Some(n) => PortRef::Name(n.to_string()),
        None => PortRef::Number(svc.at("/port/number").and_then(Value::as_i64).unwrap_or(0)),
    };
    Target::Service { namespace: namespace.to_string(), name: str_at(svc, "/name").to_string(), port }
}

fn root(target: Target, ingress: String) -> Location {
    Location { path: "/".into(), exact: false, source: ("/".into(), "Prefix"), ingress, target, placeholder: true }
}

/// The location nginx chose for a request, and why: what the packet's hop tells.
#[derive(Debug, Clone, Copy)]
pub struct Chosen<'r> {
    pub target: &'r Target,
    /// The server's name (`_` for the catch-all).
    pub server: &'r str,
    location: Option<&'r Location>,
}

impl std::fmt::Display for Chosen<'_> {
    /// `server foo.local, location /foo/ (Prefix /foo of Ingress default/example-ingress)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let server = if self.server == CATCH_ALL { "_ (catch-all)" } else { self.server };
        match self.location {
            Some(l) if l.placeholder && !l.ingress.is_empty() => {
                write!(f, "server {server}: no Ingress path matched, the defaultBackend of Ingress {}", l.ingress)
            }
            Some(l) if !l.ingress.is_empty() => {
                let (path, kind) = &l.source;
                let eq = if l.exact { "= " } else { "" };
                write!(f, "server {server}, location {eq}{} ({kind} {path} of Ingress {})", l.path, l.ingress)
            }
            _ => write!(f, "server {server}: no Ingress path matched (default backend)"),
        }
    }
}

impl Routes {
    /// The configuration for `ingresses`, the controller's own (already filtered by class), in any
    /// order: they are taken oldest first, as the controller sorts them.
    pub fn build(ingresses: &[&Value]) -> Routes {
        let mut ings: Vec<&Value> = ingresses.to_vec();
        let created = |i: &Value| {
            (
                str_at(i, "/metadata/creationTimestamp").to_string(),
                str_at(i, "/metadata/namespace").to_string(),
                str_at(i, "/metadata/name").to_string(),
            )
        };
        ings.stable_sort_by_key(|i| created(i));
        let mut servers =
            vec![Server { host: CATCH_ALL.into(), locations: vec![root(Target::DefaultBackend, String::new())] }];
        // createServers: one server per host, its `/` at the Ingress's default backend.
        for ing in &ings {
            let ns = str_at(ing, "/metadata/namespace");
            let name = format!("{ns}/{}", str_at(ing, "/metadata/name"));
            let default = ing.at("/spec/defaultBackend").filter(|b| !b.is_null()).map(|b| target(ns, b));
            let rules = ing.at("/spec/rules").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            if rules.is_empty()
                && let Some(t) = &default
                && servers[0].locations[0].placeholder
            {
                servers[0].locations[0] = Location { placeholder: false, ..root(t.clone(), name.clone()) };
            }
            for rule in rules {
                let host = match str_at(rule, "/host") {
                    "" => CATCH_ALL.to_string(),
                    h => h.to_ascii_lowercase(),
                };
                if !servers.iter().any(|s| s.host == host) {
                    let owner = if default.is_some() { name.clone() } else { String::new() };
                    let t = default.clone().unwrap_or(Target::DefaultBackend);
                    servers.push(Server { host, locations: vec![root(t, owner)] });
                }
            }
        }
        // getBackendServers: the paths.
        for ing in &ings {
            let ns = str_at(ing, "/metadata/namespace");
            let name = format!("{ns}/{}", str_at(ing, "/metadata/name"));
            for rule in ing.at("/spec/rules").and_then(Value::as_array).into_iter().flatten() {
                let host = match str_at(rule, "/host") {
                    "" => CATCH_ALL.to_string(),
                    h => h.to_ascii_lowercase(),
                };
                let Some(server) = servers.iter_mut().find(|s| s.host == host) else { continue };
                for p in rule.at("/http/paths").and_then(Value::as_array).into_iter().flatten() {
                    add_path(server, ns, &name, p);
                }
            }
        }
        for s in &mut servers {
            s.locations = expand(std::mem::take(&mut s.locations));
        }
        servers.stable_sort_by(|a, b| a.host.cmp(&b.host));
        Routes { servers }
    }

    /// The target of a request for `path` (query included or not) with this `Host` header.
    pub fn route(&self, host: &str, path: &str) -> &Target {
        self.choose(host, path).target
    }

    /// The server and location that take a request for `path` with this `Host` header.
    pub fn choose(&self, host: &str, path: &str) -> Chosen<'_> {
        let server = self.server(host);
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let path = if path.is_empty() { "/" } else { path };
        let exact = server.locations.iter().find(|l| l.exact && l.path == path);
        let prefix = || {
            server
                .locations
                .iter()
                .filter(|l| !l.exact && path.starts_with(l.path.as_str()))
                .max_by_key(|l| l.path.len())
        };
        let location = exact.or_else(prefix);
        Chosen { target: location.map_or(&Target::DefaultBackend, |l| &l.target), server: &server.host, location }
    }

    /// nginx's server selection: exact name, then wildcards in order, then the catch-all.
    fn server(&self, host: &str) -> &Server {
        let host =
            host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(host, |(h, _)| h);
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let catch_all =
            self.servers.iter().find(|s| s.host == CATCH_ALL).expect("the catch-all server is always built");
        let exact = self.servers.iter().find(|s| s.host == host);
        let wildcard = || {
            self.servers.iter().find(|s| {
                let Some(domain) = s.host.strip_prefix("*.") else { return false };
                host.strip_suffix(domain).and_then(|l| l.strip_suffix('.')).is_some_and(|label| {
                    !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
            })
        };
        exact.or_else(wildcard).unwrap_or(catch_all)
    }
}

/// Adds one Ingress path to its server, unless its path and type are taken already.
fn add_path(server: &mut Server, namespace: &str, ingress: &str, p: &Value) {
    let path = match str_at(p, "/path") {
        "" => "/".to_string(),
        s => s.to_string(),
    };
    let kind: &'static str = match str_at(p, "/pathType") {
        "Exact" => "Exact",
        "Prefix" => "Prefix",
        _ => "ImplementationSpecific",
    };
    let t = p.get("backend").map_or(Target::DefaultBackend, |b| target(namespace, b));
    // `/` as Prefix or ImplementationSpecific is the same nginx location as the placeholder.
    let same = |l: &Location| {
        l.source.0 == path && (l.source.1 == kind || (path == "/" && kind != "Exact" && l.source.1 != "Exact"))
    };
    if let Some(l) = server.locations.iter_mut().find(|l| same(l)) {
        if l.placeholder {
            *l = Location {
                path: path.clone(),
                exact: kind == "Exact",
                source: (path, kind),
                ingress: ingress.to_string(),
                target: t,
                placeholder: false,
            };
        }
        return;
    }
    server.locations.push(Location {
        path: path.clone(),
        exact: kind == "Exact",
        source: (path, kind),
        ingress: ingress.to_string(),
        target: t,
        placeholder: false,
    });
}

/// `updateServerLocations`: a Prefix path other than `/` becomes `path/` plus an exact `path`, unless
/// an Exact path of that string exists already.
fn expand(locations: Vec<Location>) -> Vec<Location> {
    let exacts: Vec<String> = locations.iter().filter(|l| l.exact).map(|l| l.path.clone()).collect();
    let mut out = Vec::new();
    for l in locations {
        if l.path == "/" || l.source.1 != "Prefix" {
            out.push(l);
            continue;
        }
        let normalized = if l.path.ends_with('/') { l.path.clone() } else { format!("{}/", l.path) };
        let exact_twin = (!exacts.contains(&l.path)).then(|| Location { exact: true, ..l.clone() });
        out.push(Location { path: normalized, ..l });
        out.extend(exact_twin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn svc(name: &str) -> Target {
        Target::Service { namespace: "default".into(), name: name.into(), port: PortRef::Number(80) }
    }

    fn ing(name: &str, created: &str, spec: Value) -> Value {
        json!({"metadata": {"namespace": "default", "name": name, "creationTimestamp": created}, "spec": spec})
    }

    fn path(p: &str, t: &str, s: &str) -> Value {
        json!({"path": p, "pathType": t, "backend": {"service": {"name": s, "port": {"number": 80}}}})
    }

    /// ingress-nginx's path rules: an exact location first, then the longest prefix; Prefix matches
    /// by path elements (`/foo` is `location /foo/` plus `location = /foo`), ImplementationSpecific
    /// as nginx's plain string prefix.
    #[test]
    fn paths_match_exact_first_then_longest_prefix() {
        let a = ing(
            "a",
            "2025-01-01T00:00:00Z",
            json!({"rules": [{"host": "foo.local", "http": {"paths": [
                path("/", "Prefix", "root"),
                path("/app", "Prefix", "app"),
                path("/app/admin", "Prefix", "admin"),
                path("/exact", "Exact", "exact"),
                path("/impl", "ImplementationSpecific", "impl"),
                path("/slash/", "Prefix", "slash"),
            ]}}]}),
        );
        let r = Routes::build(&[&a]);
        let cases = [
            ("/", "root"),
            ("/app", "app"),
            ("/app/", "app"),
            ("/app/x", "app"),
            ("/apple", "root"),
            ("/app/admin/users", "admin"),
            ("/app/administrator", "app"),
            ("/exact", "exact"),
            ("/exact/", "root"),
            ("/exactly", "root"),
            ("/impl", "impl"),
            ("/implant", "impl"),
            ("/slash/x", "slash"),
            ("/slash", "root"),
            ("/app?x=1", "app"),
        ];
        for (p, want) in cases {
            assert_eq!(r.route("foo.local", p), &svc(want), "{p}");
        }
    }

    /// nginx server selection: exact host, then a one-label wildcard, then the catch-all `_` (rules
    /// without a host, else the default backend's 404). The port in `Host` is ignored.
    #[test]
    fn hosts_match_exact_then_wildcard_then_catch_all() {
        let a = ing(
            "a",
            "2025-01-01T00:00:00Z",
            json!({"rules": [
                {"host": "foo.example.com", "http": {"paths": [path("/", "Prefix", "foo")]}},
                {"host": "*.example.com", "http": {"paths": [path("/", "Prefix", "wild")]}},
            ]}),
        );
        let r = Routes::build(&[&a]);
        assert_eq!(r.route("foo.example.com", "/"), &svc("foo"));
        assert_eq!(r.route("FOO.example.com:8080", "/"), &svc("foo"));
        assert_eq!(r.route("bar.example.com", "/"), &svc("wild"));
        assert_eq!(r.route("a.b.example.com", "/"), &Target::DefaultBackend, "a wildcard is one label");
        assert_eq!(r.route("example.com", "/"), &Target::DefaultBackend);
        assert_eq!(r.route("other.local", "/"), &Target::DefaultBackend);
        let b = ing("b", "2025-01-01T00:00:01Z", json!({"rules": [{"http": {"paths": [path("/", "Prefix", "any")]}}]}));
        let r = Routes::build(&[&a, &b]);
        assert_eq!(r.route("other.local", "/x"), &svc("any"), "a rule without host is the catch-all's");
        assert_eq!(r.route("10.96.0.5", "/"), &svc("any"));
    }

    /// `defaultBackend`: with no rules it takes the catch-all; with rules, its hosts' unmatched paths.
    /// The oldest Ingress keeps a host and path two Ingresses both declare.
    #[test]
    fn default_backends_and_conflicts() {
        let catch = ing(
            "c",
            "2025-01-01T00:00:05Z",
            json!({"defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}}}),
        );
        let hosted = ing(
            "h",
            "2025-01-01T00:00:01Z",
            json!({"defaultBackend": {"service": {"name": "hdef", "port": {"number": 80}}},
                   "rules": [{"host": "h.local", "http": {"paths": [path("/api", "Prefix", "api")]}}]}),
        );
        let younger = ing(
            "y",
            "2025-01-01T00:00:09Z",
            json!({"rules": [{"host": "h.local", "http": {"paths": [path("/api", "Prefix", "late"), path("/new", "Exact", "new")]}}]}),
        );
        let r = Routes::build(&[&younger, &catch, &hosted]);
        assert_eq!(r.route("nobody.local", "/"), &svc("fallback"));
        assert_eq!(r.route("h.local", "/other"), &svc("hdef"));
        assert_eq!(r.route("h.local", "/api/v1"), &svc("api"), "the oldest Ingress keeps the path");
        assert_eq!(r.route("h.local", "/new"), &svc("new"));
        assert_eq!(Routes::build(&[]).route("x", "/"), &Target::DefaultBackend);
    }

    fn host() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", "foo.local", "*.local", "a.b.local", "*.", "FOO.local", ":", "x:80"])
            .prop_map(String::from)
    }

    fn url_path() -> impl Strategy<Value = String> {
        "(/[ab]{0,2}){0,3}/?|[ab?#]{0,3}"
    }

    proptest! {
        /// Arbitrary Ingresses (odd hosts, paths, unknown path types, missing backends) and requests:
        /// routing never panics and answers a backend some Ingress named, or the default backend; an
        /// Exact path on its own host always wins.
        #[test]
        fn any_configuration_routes_any_request(
            rules in prop::collection::vec((host(), url_path(), prop::sample::select(vec!["Exact", "Prefix", "ImplementationSpecific", "Regex", ""]), 0u8..4), 0..8),
            default in proptest::option::of(0u8..4),
            req in (host(), url_path()),
        ) {
            let paths: Vec<Value> = rules.iter().map(|(h, p, t, s)| json!({"host": h, "http": {"paths": [
                {"path": p, "pathType": t, "backend": {"service": {"name": format!("s{s}"), "port": {"number": 80}}}}]}})).collect();
            let mut spec = json!({"rules": paths});
            if let Some(d) = default {
                spec["defaultBackend"] = json!({"service": {"name": format!("s{d}"), "port": {"name": "http"}}});
            }
            let r = Routes::build(&[&ing("x", "2025-01-01T00:00:00Z", spec)]);
            match r.route(&req.0, &req.1) {
                Target::DefaultBackend => {}
                Target::Service { name, .. } => prop_assert!(name.starts_with('s')),
            }
            let exact = ing("e", "2025-01-01T00:00:00Z", json!({"rules": [{"host": "exact.local", "http": {"paths": [path(&format!("/{}", req.1.trim_start_matches('/')), "Exact", "e")]}}]}));
            let want = format!("/{}", req.1.trim_start_matches('/'));
            let only = Routes::build(&[&exact]);
            let want_path = want.split(['?', '#']).next().unwrap_or("/").to_string();
            if want_path == want {
                prop_assert_eq!(only.route("exact.local", &want), &svc("e"));
            }
        }
    }
}
