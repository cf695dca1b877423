//! List chunking (`limit` and `continue`), as the apiserver's etcd3 store pages a list: a page holds at
//! most `limit` objects, read at one revision; `metadata.continue` names the key after the last one
//! read and that revision (a base64url JSON token, `k8s.io/apiserver/pkg/storage` `EncodeContinue`),
//! and `remainingItemCount` counts what is left when no selector filters it. The next page reads at
//! the token's revision, so the pages are one consistent snapshot; once compaction has dropped that
//! revision the apiserver answers `410 Expired` with a token that continues at the latest revision.

use serde_json::{Value, json};

use crate::sim::api::base64;
use crate::sim::apiserver::request::ApiRequest;
use crate::sim::apiserver::status::{Reason, Status};
use crate::sim::store::{Revision, StoreError};

/// Where a page starts and at which revision it reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageStart {
    /// The full etcd key to read from (the token's key under the list's prefix).
    pub key: Option<String>,
    /// The revision the first page was read at; `None` reads the latest.
    pub revision: Option<Revision>,
}

/// Reads a list request's `continue` (none: the first page, at the latest revision). A bad token is
/// a 400 in the apiserver's words (`invalid continue token: continue key is not valid...`).
pub fn start_of(req: &ApiRequest, prefix: &str) -> Result<PageStart, Status> {
    let Some(token) = req.options.continue_token.as_deref() else { return Ok(PageStart::default()) };
    let (key, rv) = decode_continue(token, prefix)
        .map_err(|e| Status::bad_request(format!("invalid continue token: continue key is not valid{e}")))?;
    if req.options.resource_version.is_some() {
        return Err(Status::bad_request("specifying resource version is not allowed when using continue"));
    }
    // A token made after compaction (`rv: -1`) continues at the latest revision.
    Ok(PageStart { key: Some(key), revision: (rv > 0).then_some(rv) })
}

/// The token for a list that continues after `last_key`, read at `revision`.
pub fn encode_continue(last_key: &str, prefix: &str, revision: Revision) -> String {
    let start = format!("{}\u{0}", last_key.strip_prefix(prefix).unwrap_or(last_key));
    let token = json!({"v": "meta.k8s.io/v1", "rv": revision, "start": start});
    base64::encode(token.to_string().as_bytes()).replace('+', "-").replace('/', "_").trim_end_matches('=').to_string()
}

/// The key and revision a token names; the error is what follows `continue key is not valid`.
fn decode_continue(token: &str, prefix: &str) -> Result<(String, Revision), String> {
    // Go's `base64.RawURLEncoding`: the URL alphabet, no padding.
    if let Some(at) = token.find(['+', '/', '=']) {
        return Err(format!(": illegal base64 data at input byte {at}"));
    }
    let mut std = token.replace('-', "+").replace('_', "/");
    while !std.len().is_multiple_of(4) {
        std.push('=');
    }
    let bytes = base64::decode(&std).map_err(|e| format!(": {e}"))?;
    let c: Value = serde_json::from_slice(&bytes).map_err(|e| format!(": {e}"))?;
    match c.get("v").and_then(Value::as_str).unwrap_or_default() {
        "meta.k8s.io/v1" => {}
        other => return Err(format!(": server does not recognize this encoded version {other}")),
    }
    let rv = c.get("rv").and_then(Value::as_i64).unwrap_or(0);
    if rv == 0 {
        return Err(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into());
    }
    let start = c.get("start").and_then(Value::as_str).unwrap_or_default();
    if start.is_empty() {
        return Err(": encoded start key empty (version meta.k8s.io/v1)".into());
    }
    // Upstream's defence against path traversal: the key, made absolute, must already be clean, so
    // that a page never reads outside the list's prefix.
    let key = if start.starts_with('/') { start.to_string() } else { format!("/{start}") };
    if key.split('/').skip(1).any(|part| part.is_empty() || part == "." || part == "..") && key != "/" {
        return Err(format!(": {start}"));
    }
    Ok((format!("{prefix}{}", &key[1..]), rv))
}

/// Whether etcd refused a read because its revision was compacted (clientv3 matches the error by its
/// text, as this does).
pub fn is_compacted(error: &str) -> bool {
    error == StoreError::Compacted { requested: 0, compacted: 0 }.to_string()
}

/// The 410 for a continue token older than compaction, carrying a token that continues from the same
/// key at the latest revision (`handleCompactedErrorForPaging`).
pub fn expired(start_key: &str, prefix: &str) -> Status {
    let mut status = Status::new(
        410,
        Reason::Expired,
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    );
    // The key already ends past the last item read: encode it as it is.
    let start = start_key.strip_prefix(prefix).unwrap_or(start_key);
    let token = json!({"v": "meta.k8s.io/v1", "rv": -1, "start": start});
    status.continue_token = Some(
        base64::encode(token.to_string().as_bytes())
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_string(),
    );
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api;
    use crate::sim::apiserver::request::Verb;

    fn list_with(token: Option<&str>, rv: Option<i64>) -> ApiRequest {
        let mut req = ApiRequest::new(0, Verb::List, api::for_kind("v1", "Pod").unwrap());
        req.options.continue_token = token.map(str::to_string);
        req.options.resource_version = rv;
        req
    }

    #[test]
    fn a_token_names_the_key_after_the_last_and_the_revision() {
        let prefix = "/registry/pods/";
        let token = encode_continue("/registry/pods/default/web-2", prefix, 42);
        assert!(!token.contains(['+', '/', '=']), "{token}");
        let start = start_of(&list_with(Some(&token), None), prefix).unwrap();
        assert_eq!(start, PageStart { key: Some("/registry/pods/default/web-2\u{0}".into()), revision: Some(42) });
        assert_eq!(start_of(&list_with(None, None), prefix).unwrap(), PageStart::default());
    }

    #[test]
    fn bad_tokens_get_the_apiservers_words() {
        let enc = |v: Value| base64::encode(v.to_string().as_bytes()).trim_end_matches('=').to_string();
        let cases = [
            (
                "%%%".to_string(),
                "invalid continue token: continue key is not valid: illegal base64 data at input byte 0",
            ),
            (
                enc(json!({"v": "meta.k8s.io/v1", "rv": 0, "start": "a"})),
                "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
            ),
            (
                enc(json!({"v": "meta.k8s.io/v1", "rv": 3, "start": ""})),
                "invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)",
            ),
            (
                enc(json!({"v": "v9", "rv": 3, "start": "a"})),
                "invalid continue token: continue key is not valid: server does not recognize this encoded version v9",
            ),
            (
                enc(json!({"v": "meta.k8s.io/v1", "rv": 3, "start": "../secrets/x"})),
                "invalid continue token: continue key is not valid: ../secrets/x",
            ),
        ];
        for (token, want) in cases {
            let e = start_of(&list_with(Some(&token), None), "/registry/pods/").unwrap_err();
            assert_eq!((e.code, e.message.as_str()), (400, want), "{token}");
        }
        let token = encode_continue("/registry/pods/a", "/registry/pods/", 5);
        let e = start_of(&list_with(Some(&token), Some(7)), "/registry/pods/").unwrap_err();
        assert_eq!(e.message, "specifying resource version is not allowed when using continue");
    }

    /// Pages through the simulated apiserver: ConfigMaps `cm-0`..`cm-4` and the namespace's
    /// `kube-root-ca.crt`, two at a time.
    #[test]
    fn a_list_pages_through_one_snapshot_and_expires_after_compaction() {
        use crate::sim::world::World;
        let mut w = World::new(1);
        let cms = api::for_kind("v1", "ConfigMap").unwrap();
        for i in 0..5 {
            let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}")}});
            w.call(ApiRequest::new(0, Verb::Create, cms).in_namespace(Some("default")).with_body(body)).unwrap();
        }
        let page = |w: &mut World, token: Option<&str>, limit: i64, selector: Option<&str>| {
            let mut req = ApiRequest::new(0, Verb::List, cms).in_namespace(Some("default"));
            req.options.limit = Some(limit);
            req.options.continue_token = token.map(str::to_string);
            req.options.label_selector = selector.map(str::to_string);
            w.call(req)
        };
        let names = |v: &Value| -> Vec<String> {
            v["items"].as_array().unwrap().iter().map(|o| o["metadata"]["name"].as_str().unwrap().to_string()).collect()
        };
        let first = page(&mut w, None, 2, None).unwrap();
        assert_eq!(names(&first), ["cm-0", "cm-1"]);
        assert_eq!(first["metadata"]["remainingItemCount"], 4);
        let rv = first["metadata"]["resourceVersion"].clone();
        // Written after the first page: not in this list, which is one snapshot.
        let late = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-9"}});
        w.call(ApiRequest::new(0, Verb::Create, cms).in_namespace(Some("default")).with_body(late)).unwrap();
        let token = first["metadata"]["continue"].as_str().unwrap().to_string();
        let second = page(&mut w, Some(&token), 2, None).unwrap();
        assert_eq!((names(&second), &second["metadata"]["resourceVersion"]), (vec!["cm-2".into(), "cm-3".into()], &rv));
        let token2 = second["metadata"]["continue"].as_str().unwrap().to_string();
        let last = page(&mut w, Some(&token2), 2, None).unwrap();
        assert_eq!(names(&last), ["cm-4", "kube-root-ca.crt"]);
        assert_eq!((last["metadata"].get("continue"), last["metadata"].get("remainingItemCount")), (None, None));
        // A selector: pages still cut at `limit` objects, with no remainingItemCount.
        let filtered = page(&mut w, None, 1, Some("app!=x")).unwrap();
        assert_eq!(names(&filtered), ["cm-0"]);
        assert!(filtered["metadata"]["continue"].is_string());
        assert_eq!(filtered["metadata"].get("remainingItemCount"), None);
        // Two compaction rounds later the first page's revision is gone: 410, and a token that goes on
        // from the same key at the latest revision (which now holds cm-9).
        w.run_for(2 * crate::sim::apiserver::COMPACTION_INTERVAL_MS + 1_000);
        let gone = page(&mut w, Some(&token), 2, None).unwrap_err();
        assert_eq!((gone.code, gone.reason), (410, Reason::Expired));
        assert!(gone.message.starts_with("The provided continue parameter is too old"), "{}", gone.message);
        let rest = page(&mut w, gone.continue_token.as_deref(), 10, None).unwrap();
        assert_eq!(names(&rest), ["cm-2", "cm-3", "cm-4", "cm-9", "kube-root-ca.crt"]);
    }

    #[test]
    fn an_expired_token_continues_at_the_latest_revision() {
        let s = expired("/registry/pods/default/web-2\u{0}", "/registry/pods/");
        assert_eq!((s.code, s.reason), (410, Reason::Expired));
        let start = start_of(&list_with(s.continue_token.as_deref(), None), "/registry/pods/").unwrap();
        assert_eq!(start, PageStart { key: Some("/registry/pods/default/web-2\u{0}".into()), revision: None });
        assert!(is_compacted("etcdserver: mvcc: required revision has been compacted"));
        assert!(!is_compacted("etcdserver: mvcc: required revision is a future revision"));
    }
}
