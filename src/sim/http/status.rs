//! `metav1.Status` bodies as the apiserver writes them. The simulation keeps an invalid object's
//! error in kubectl's words (`The NetworkPolicy "bad" is invalid: \n* a\n* b`); over HTTP it goes
//! out as the apiserver sends it, the aggregate message plus `details` (kind, name, group and one
//! cause per field), from which kubectl prints the same words again.

use serde_json::{Value, json};

use crate::sim::api;
use crate::sim::apiserver::json_patch;
use crate::sim::apiserver::status::{Reason, Status};

/// The `Status` object for a failed request, with its HTTP code.
pub fn body(s: &Status) -> (u16, Value) {
    // The client's own failure to reach the simulated apiserver: the gateway timed out.
    let code = if s.code == 0 { 504 } else { s.code };
    let reason = if s.reason_text().is_empty() { "Timeout" } else { s.reason_text() };
    let mut v = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": s.message, "reason": reason, "code": code});
    // `StatusReasonUnknown` is an empty reason, which the apiserver leaves out.
    if s.reason == Reason::Unknown {
        v.as_object_mut().map(|o| o.remove("reason"));
    }
    if let Some(token) = &s.continue_token {
        v["metadata"]["continue"] = json!(token);
    }
    // A 422 with nothing more to say (a JSON patch that does not apply): kubectl's words in the
    // simulation, the apiserver's generic message and empty details on the wire.
    if s.reason == Reason::Invalid && s.message == json_patch::PATCH_DID_NOT_APPLY {
        v["message"] = json!(json_patch::PATCH_DID_NOT_APPLY_ON_THE_WIRE);
        v["details"] = json!({});
    }
    if let Some((message, details)) = invalid_details(s) {
        v["message"] = json!(message);
        v["details"] = details;
    }
    (code, v)
}

/// The message the apiserver writes in the Status (what a Go client's `err.Error()` is): for an
/// invalid object the aggregate form, not kubectl's layout. kubectl's generators that wrap an error
/// with `%v` (`failed to create deployment: %v`) print this.
pub fn server_message(s: &Status) -> String {
    match body(s).1["message"].as_str() {
        Some(m) => m.to_string(),
        None => s.message.clone(),
    }
}

/// A cause's `reason` from the start of its message (`field.ErrorType`'s words).
fn cause_reason(message: &str) -> &'static str {
    const REASONS: [(&str, &str); 8] = [
        ("Invalid value", "FieldValueInvalid"),
        ("Required value", "FieldValueRequired"),
        ("Unsupported value", "FieldValueNotSupported"),
        ("Forbidden", "FieldValueForbidden"),
        ("Duplicate value", "FieldValueDuplicate"),
        ("Not found", "FieldValueNotFound"),
        ("Too long", "FieldValueTooLong"),
        ("Too many", "FieldValueTooMany"),
    ];
    REASONS.iter().find(|(words, _)| message.starts_with(words)).map_or("FieldValueInvalid", |(_, r)| r)
}

/// For an invalid object in kubectl's words: the apiserver's message (`Kind.group "name" is invalid:
/// [a, b]`) and `details`.
fn invalid_details(s: &Status) -> Option<(String, Value)> {
    if s.reason != Reason::Invalid {
        return None;
    }
    let rest = s.message.strip_prefix("The ")?;
    let (kind, rest) = rest.split_once(' ')?;
    let (quoted_name, rest) = rest.split_once(" is invalid: ")?;
    let name: String = serde_json::from_str(quoted_name).ok()?;
    let listed: Vec<&str> = match rest.strip_prefix("\n* ") {
        Some(list) => list.split("\n* ").collect(),
        None => vec![rest],
    };
    let causes: Vec<Value> = listed
        .iter()
        .filter_map(|c| c.split_once(": "))
        .map(|(field, message)| json!({"reason": cause_reason(message), "message": message, "field": field}))
        .collect();
    let group = api::resources().iter().find(|r| r.kind == kind).map_or("", |r| r.group);
    let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
    let aggregate = match listed.as_slice() {
        [one] => one.to_string(),
        many => format!("[{}]", many.join(", ")),
    };
    let message = format!("{qualified} {quoted_name} is invalid: {aggregate}");
    Some((message, json!({"name": name, "group": group, "kind": kind, "causes": causes})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_patch_that_does_not_apply_goes_out_as_the_generic_422() {
        let s = Status::new(422, Reason::Invalid, json_patch::PATCH_DID_NOT_APPLY);
        let (code, v) = body(&s);
        assert_eq!((code, &v["reason"], &v["details"]), (422, &json!("Invalid"), &json!({})));
        assert_eq!(v["message"], json_patch::PATCH_DID_NOT_APPLY_ON_THE_WIRE);
        let mut expired = Status::new(410, Reason::Expired, "too old");
        expired.continue_token = Some("abc".into());
        assert_eq!(body(&expired).1["metadata"], json!({"continue": "abc"}));
    }

    #[test]
    fn an_invalid_object_goes_out_with_its_causes() {
        let s = Status::invalid(
            "The NetworkPolicy \"bad\" is invalid: \n* spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric\n* spec.podSelector: Required value",
        );
        let (code, v) = body(&s);
        assert_eq!(code, 422);
        assert_eq!(
            v["message"],
            "NetworkPolicy.networking.k8s.io \"bad\" is invalid: [spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric, spec.podSelector: Required value]"
        );
        assert_eq!(v["details"]["kind"], "NetworkPolicy");
        assert_eq!(v["details"]["group"], "networking.k8s.io");
        assert_eq!(
            v["details"]["causes"][1],
            json!({"reason": "FieldValueRequired", "message": "Required value", "field": "spec.podSelector"})
        );
    }

    #[test]
    fn one_cause_and_other_errors() {
        let (_, v) = body(&Status::invalid("The Pod \"p\" is invalid: spec.containers: Required value"));
        assert_eq!(v["message"], "Pod \"p\" is invalid: spec.containers: Required value");
        assert_eq!(v["details"]["causes"].as_array().map(Vec::len), Some(1));
        let (code, v) = body(&Status::bad_request("nope"));
        assert_eq!((code, v.get("details")), (400, None));
        let (code, v) = body(&Status::new(0, Reason::Unreachable, "lost"));
        assert_eq!((code, v["reason"].as_str()), (504, Some("Timeout")));
    }
}
