//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl's typed clients send
//! (`kubectl create namespace|deployment|configmap|secret|service|job|cronjob|...`, `kubectl autoscale`): the `k8s\0`
//! envelope (`runtime.Unknown`: the type, then the object's own bytes), decoded into the JSON the
//! simulated apiserver reads, with the field numbers of upstream's `generated.proto` files
//! (`protobuf/schema.txt`, written by `scripts/proto-schema.py` from k8s.io/api and apimachinery 1.33).
//!
//! Go's generated marshalers write every non-pointer field, zero or not, where JSON would omit the
//! empty ones; zeros are therefore dropped, except for the fields that are pointers in Go and so
//! written only when set (`replicas: 0`, `suspend: false`, `runAsUser: 0`), which are kept.
//! Only the types `kubectl create` and `kubectl autoscale` send are in the table; any other is refused
//! with 415.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value, json};

/// The envelope's magic bytes.
const MAGIC: &[u8] = b"k8s\0";

/// Fields that are pointers in Go: written only when set, so a zero there was meant.
const KEEP_ZERO: &[&str] = &[
    "replicas",
    "parallelism",
    "completions",
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "revisionHistoryLimit",
    "progressDeadlineSeconds",
    "activeDeadlineSeconds",
    "ttlSecondsAfterFinished",
    "terminationGracePeriodSeconds",
    "suspend",
    "automountServiceAccountToken",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "value",
    "defaultMode",
    "optional",
    "immutable",
    "runAsUser",
    "runAsGroup",
    "fsGroup",
    "runAsNonRoot",
    "privileged",
    "allowPrivilegeEscalation",
    "readOnlyRootFilesystem",
    "expirationSeconds",
    "minAvailable",
    "maxUnavailable",
    "enableServiceLinks",
    "hostUsers",
    "shareProcessNamespace",
    "setHostnameAsFQDN",
    "manualSelector",
    "allocateLoadBalancerNodePorts",
    "minReplicas",
    "targetCPUUtilizationPercentage",
];

/// Go structs embedded with `json:",inline"`: protobuf names them as fields, JSON spreads their fields
/// into the outer object.
const INLINE: &[&str] = &["ingressRuleValue", "volumeSource", "handler", "ephemeralContainerCommon"];

/// One field of a message.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    /// `1` one, `*` repeated, `m` a map from string (the entry message has key 1, value 2).
    label: u8,
    ty: &'static str,
}

type Schema = HashMap<&'static str, HashMap<u64, Field>>;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut s: Schema = HashMap::new();
        for line in include_str!("protobuf/schema.txt").lines() {
            let parts: Vec<&'static str> = line.split(' ').collect();
            let [message, number, name, label, ty] = parts[..] else { continue };
            let Ok(number) = number.parse() else { continue };
            let field = Field { name, label: label.as_bytes().first().copied().unwrap_or(b'1'), ty };
            s.entry(message).or_default().insert(number, field);
        }
        s
    })
}

/// A protobuf field as read off the wire.
enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    /// A 32-bit value (`float`, `fixed32`): no field the table decodes has one; skipped.
    Fixed32,
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.buf.split_first().ok_or("truncated varint")?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint longer than 10 bytes".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.buf.len() {
            return Err("truncated field".into());
        }
        let (a, b) = self.buf.split_at(n);
        self.buf = b;
        Ok(a)
    }

    /// The next field number and value; None at the end.
    fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>, String> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "bad fixed64")?)),
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "length too large")?;
                Wire::Bytes(self.take(n)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed32
            }
            other => return Err(format!("unsupported wire type {other}")),
        };
        Ok(Some((key >> 3, wire)))
    }
}

/// Standard base64 with padding: a protobuf `bytes` field as JSON carries it, and so does the
/// WebSocket handshake's accept key.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `seconds` since 1970 as RFC 3339 (UTC), as `metav1.Time` marshals.
fn rfc3339(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = crate::sim::time::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// One value of a field, as JSON; None for a zero that Go would have left out.
fn scalar(ty: &str, wire: &Wire<'_>, keep_zero: bool) -> Result<Option<Value>, String> {
    let v = match (ty, wire) {
        ("string", Wire::Bytes(b)) => json!(String::from_utf8_lossy(b)),
        ("bytes", Wire::Bytes(b)) => json!(base64(b)),
        ("bool", Wire::Varint(n)) => json!(*n != 0),
        ("int32", Wire::Varint(n)) => json!(*n as i64 as i32),
        ("int64", Wire::Varint(n)) => json!(*n as i64),
        ("double", Wire::Fixed64(n)) => json!(f64::from_bits(*n)),
        (ty, _) => return Err(format!("field of type {ty} has the wrong wire type")),
    };
    let zero = matches!(&v, Value::String(s) if s.is_empty())
        || v == json!(false)
        || v.as_i64() == Some(0)
        || v.as_f64() == Some(0.0);
    Ok((!zero || keep_zero).then_some(v))
}

/// A message of type `ty` as JSON; None for an empty `Time`.
fn message(ty: &str, bytes: &[u8], depth: usize) -> Result<Option<Value>, String> {
    if depth > 64 {
        return Err("message nested too deep".into());
    }
    match ty {
        "resource.Quantity" => return Ok(decode_fields("resource.Quantity", bytes, depth)?.get("string").cloned()),
        "intstr.IntOrString" => {
            let f = decode_fields("intstr.IntOrString", bytes, depth)?;
            return Ok(Some(if f.get("type").and_then(Value::as_i64) == Some(1) {
                f.get("strVal").cloned().unwrap_or(json!(""))
            } else {
                f.get("intVal").cloned().unwrap_or(json!(0))
            }));
        }
        "meta.Time" | "meta.MicroTime" => {
            let f = decode_fields(ty, bytes, depth)?;
            return Ok(f.get("seconds").and_then(Value::as_i64).filter(|s| *s != 0).map(|s| json!(rfc3339(s))));
        }
        "runtime.RawExtension" | "meta.FieldsV1" => {
            let mut r = Reader { buf: bytes };
            while let Some((n, w)) = r.next()? {
                if let (1, Wire::Bytes(raw)) = (n, w) {
                    return Ok(serde_json::from_slice(raw).ok());
                }
            }
            return Ok(None);
        }
        _ => {}
    }
    Ok(Some(Value::Object(decode_fields(ty, bytes, depth)?)))
}

fn decode_fields(ty: &str, bytes: &[u8], depth: usize) -> Result<Map<String, Value>, String> {
    let fields = schema().get(ty).ok_or_else(|| format!("type {ty} is not decoded"))?;
    let mut out = Map::new();
    let mut r = Reader { buf: bytes };
    while let Some((number, wire)) = r.next()? {
        let Some(f) = fields.get(&number) else { continue };
        let keep = KEEP_ZERO.contains(&f.name);
        let is_message = schema().contains_key(f.ty);
        match f.label {
            b'm' => {
                let Wire::Bytes(entry) = wire else { return Err(format!("{}: map entry is not a message", f.name)) };
                let (mut key, mut value) = (String::new(), Value::Null);
                let mut er = Reader { buf: entry };
                while let Some((n, w)) = er.next()? {
                    match (n, &w) {
                        (1, Wire::Bytes(k)) => key = String::from_utf8_lossy(k).into_owned(),
                        (2, Wire::Bytes(b)) if is_message => {
                            value = message(f.ty, b, depth + 1)?.unwrap_or(Value::Null)
                        }
                        (2, _) => value = scalar(f.ty, &w, true)?.unwrap_or(Value::Null),
                        _ => {}
                    }
                }
                let map = out.entry(f.name).or_insert_with(|| json!({}));
                if let Value::Object(m) = map {
                    m.insert(key, value);
                }
            }
            b'*' => {
                let item = match &wire {
                    Wire::Bytes(b) if is_message => message(f.ty, b, depth + 1)?,
                    _ => scalar(f.ty, &wire, true)?,
                };
                if let (Some(item), Value::Array(list)) = (item, out.entry(f.name).or_insert_with(|| json!([]))) {
                    list.push(item);
                }
            }
            _ => {
                let value = match &wire {
                    Wire::Bytes(b) if is_message => message(f.ty, b, depth + 1)?,
                    _ => scalar(f.ty, &wire, keep)?,
                };
                match value {
                    Some(Value::Object(inner)) if INLINE.contains(&f.name) => out.extend(inner),
                    Some(v) => {
                        out.insert(f.name.to_string(), v);
                    }
                    None => {}
                }
            }
        }
    }
    Ok(out)
}

/// Decodes a protobuf request body into the object's JSON, or says why it cannot.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let raw = body.strip_prefix(MAGIC).ok_or("the body does not start with the k8s protobuf magic")?;
    let envelope = decode_fields("runtime.Unknown", raw, 0)?;
    let api_version = envelope.get("typeMeta").and_then(|t| t.get("apiVersion")).and_then(Value::as_str).unwrap_or("");
    let kind = envelope.get("typeMeta").and_then(|t| t.get("kind")).and_then(Value::as_str).unwrap_or("");
    // The envelope's `raw` bytes, read again as bytes rather than base64.
    let mut r = Reader { buf: raw };
    let mut object_bytes: &[u8] = &[];
    while let Some((n, w)) = r.next()? {
        if let (2, Wire::Bytes(b)) = (n, w) {
            object_bytes = b;
        }
    }
    let ty = format!("{api_version}.{kind}");
    let mut object = decode_fields(&ty, object_bytes, 0)?;
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests;
