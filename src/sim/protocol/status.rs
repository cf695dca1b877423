//! API errors as `metav1.Status`: the HTTP code, the reason, and the message kubectl prints.

use std::fmt;

use crate::sim::api::ResourceType;

/// `metav1.StatusReason`: the machine-readable cause kubectl shows in parentheses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Conflict,
    /// 422: the message is the whole `The X "y" is invalid: ...` text.
    Invalid,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    /// 415: a body in a format the server does not read.
    UnsupportedMediaType,
    /// 410: a watch from a compacted revision.
    Expired,
    InternalError,
    /// 504: etcd did not answer in time.
    Timeout,
    /// 429: the apiserver cannot serve this yet (its watch cache is re-initializing).
    TooManyRequests,
    /// 413: a request body over the apiserver's limit (`MaxRequestBodyBytes`, 3 MiB).
    RequestEntityTooLarge,
    /// 503: an aggregated API whose server is not available (the Metrics API without metrics-server).
    ServiceUnavailable,
    /// The client could not reach the apiserver at all.
    Unreachable,
    /// `StatusReasonUnknown` (an empty reason): what the apiserver answers for a plain Go error, such
    /// as its proxy failing to dial a kubelet (`error dialing backend: ...`).
    Unknown,
}

/// A failed request, as the apiserver reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: Reason,
    pub message: String,
    /// `metadata.continue` of a `410 Expired` list page: a token that continues at the latest revision.
    pub continue_token: Option<String>,
}

/// `deployments.apps`, `pods`: how API errors name a resource.
pub fn qualified(rt: &ResourceType) -> String {
    rt.group_resource()
}

impl Status {
    pub fn new(code: u16, reason: Reason, message: impl Into<String>) -> Self {
        Self { code, reason, message: message.into(), continue_token: None }
    }

    pub fn not_found(rt: &ResourceType, name: &str) -> Self {
        Self::new(404, Reason::NotFound, format!("{} \"{name}\" not found", qualified(rt)))
    }

    pub fn already_exists(rt: &ResourceType, name: &str) -> Self {
        Self::new(409, Reason::AlreadyExists, format!("{} \"{name}\" already exists", qualified(rt)))
    }

    pub fn conflict(rt: &ResourceType, name: &str) -> Self {
        Self::new(
            409,
            Reason::Conflict,
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(rt)
            ),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, Reason::Invalid, message)
    }

    /// The `415` for a PATCH body type the apiserver does not read. Server-side apply
    /// (`application/apply-patch+yaml`) is one: field management (`managedFields`, field managers and
    /// their conflicts) is not modelled, and the answer says so.
    pub fn unsupported_patch(content_type: &str) -> Self {
        let why = if content_type == "application/apply-patch+yaml" {
            " (server-side apply is not served by this sandbox: managedFields, field managers and apply conflicts are not modelled)".to_string()
        } else {
            String::new()
        };
        Self::new(
            415,
            Reason::UnsupportedMediaType,
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json{why}"
            ),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, Reason::BadRequest, message)
    }

    pub fn forbidden(rt: &ResourceType, name: &str, why: &str) -> Self {
        Self::new(403, Reason::Forbidden, format!("{} \"{name}\" is forbidden: {why}", qualified(rt)))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, Reason::InternalError, message)
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(504, Reason::Timeout, message)
    }

    /// The reason as the API spells it.
    pub fn reason_text(&self) -> &'static str {
        match self.reason {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::BadRequest => "BadRequest",
            Reason::Forbidden => "Forbidden",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::UnsupportedMediaType => "UnsupportedMediaType",
            Reason::Expired => "Expired",
            Reason::InternalError => "InternalError",
            Reason::Timeout => "Timeout",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::RequestEntityTooLarge => "RequestEntityTooLarge",
            Reason::ServiceUnavailable => "ServiceUnavailable",
            Reason::Unreachable | Reason::Unknown => "",
        }
    }

    /// What kubectl prints, with an optional context such as `error when creating "web.yaml"`.
    pub fn kubectl_text(&self, context: Option<&str>) -> String {
        let msg = match context {
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        };
        match self.reason {
            // kubectl's checkErr prints an Invalid error from its details alone (`The Job "x" is invalid:
            // ...`), so neither the "Error from server" prefix nor the `error when creating` context shows.
            Reason::Invalid => self.message.clone(),
            Reason::Unreachable => msg,
            Reason::Unknown => format!("Error from server: {msg}"),
            Reason::Timeout => format!("Error from server (Timeout): {msg}"),
            _ => format!("Error from server ({}): {msg}", self.reason_text()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kubectl_text(None))
    }
}
