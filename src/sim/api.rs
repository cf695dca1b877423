//! The API-object layer: resource types, decoding, strict checks, defaulting and validation.
//!
//! Objects stay `serde_json::Value`s in Kubernetes' JSON shape, so field order and unknown kinds
//! survive round trips; strict checks walk a schema table generated from the `k8s-openapi` structs.
//! An object on its way into the simulated apiserver goes through the same stages as in a real one:
//!
//! ```text
//!   text ──decode──▶ Value ──registry::for_kind──▶ ResourceType
//!                      │
//!                      ├─strict::check_strict──▶ unknown / mistyped fields refused (400)
//!                      ├─defaults::apply_defaults──▶ defaulted object
//!                      └─validation::validate──▶ `The X "name" is invalid: ...` (422)
//! ```

pub mod base64;
pub mod convert;
pub mod cron;
pub mod decode;
pub mod defaults;
pub mod meta;
pub mod nodefit;
pub mod podutil;
pub mod pointer;
pub mod quantity;
pub mod quota;
pub mod registry;
pub mod selector;
pub mod strict;
pub mod validation;
pub mod volumes;

pub use decode::{DecodeError, Document, decode_documents};
pub use defaults::admission::default_tolerations as add_default_tolerations;
pub use defaults::apply_defaults;
pub use registry::{ApiError, ResourceType, api_versions, for_kind, resolve, resources, storage_key, storage_prefix};
pub use strict::check_strict;
pub use validation::{Invalid, validate};

#[cfg(test)]
mod corpus_tests;
