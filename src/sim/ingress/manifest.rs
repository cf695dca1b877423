//! The manifest kind's Ingress guide applies (`kubectl apply -f
//! https://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml`, ingress-nginx v1.12.1),
//! bundled because the sandbox has no internet: kubectl's `-f URL` reads it from here.
//!
//! Left out of the bundled copy: the admission webhook (its ServiceAccount, Role, ClusterRole and
//! bindings, the `ingress-nginx-controller-admission` Service, the two `kube-webhook-certgen` Jobs,
//! the ValidatingWebhookConfiguration, and the controller's `--validating-webhook*` flags, port 8443
//! and `webhook-cert` volume): the sandbox serves no admissionregistration.k8s.io and calls no webhooks.

/// The URL of kind's guide.
pub const KIND_URL: &str = "https://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml";

const MANIFEST: &str = include_str!("deploy-ingress-nginx.yaml");

/// The bundled document for `url`, if the sandbox has one (the `http://` spelling redirects there).
pub fn bundled(url: &str) -> Option<&'static str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    (rest == &KIND_URL["https://".len()..]).then_some(MANIFEST)
}

/// What kubectl prints for any other URL: the host does not resolve, as with no network.
pub fn unreachable(url: &str) -> String {
    let host = url.split_once("://").map_or(url, |(_, r)| r).split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(host, |(h, _)| h);
    format!("Unable to connect to the server: dial tcp: lookup {host} on 127.0.0.53:53: no such host")
}

/// Whether a `-f` argument is a URL (cli-runtime's `FilenameParam`: `http://` or `https://`).
pub fn is_url(f: &str) -> bool {
    f.starts_with("http://") || f.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_url_is_bundled_and_others_do_not_resolve() {
        let m = bundled(KIND_URL).expect("bundled");
        assert!(m.contains("kind: IngressClass") && m.contains("controller: k8s.io/ingress-nginx"));
        assert!(bundled("http://kind.sigs.k8s.io/examples/ingress/deploy-ingress-nginx.yaml").is_some());
        assert!(bundled("https://example.com/x.yaml").is_none());
        assert_eq!(
            unreachable("https://raw.githubusercontent.com:443/a/b.yaml"),
            "Unable to connect to the server: dial tcp: lookup raw.githubusercontent.com on 127.0.0.53:53: no such host"
        );
        assert!(is_url("http://x") && !is_url("x.yaml"));
        let docs = crate::sim::api::decode_documents(m);
        assert_eq!(docs.len(), 10, "the controller's ten objects");
        assert!(docs.iter().all(Result::is_ok));
    }
}
