//! kubectl's output formatting for the simulated cluster: `get` tables, `-o name|yaml|json|jsonpath|custom-columns`
//! and `describe`, reproducing kubectl 1.33's text byte for byte wherever the simulation has the data.
//!
//! Objects arrive as `serde_json::Value` in Kubernetes' JSON shape; nothing here panics on odd input:
//! a missing or mistyped field reads as Go's zero value, as it would in kubectl's typed structs.
//!
//! | command                         | entry point                  |
//! |---------------------------------|------------------------------|
//! | `kubectl get` (table, `-o wide`) | [`table`] with [`TableOptions`] |
//! | `-o name`                       | [`name_output`]              |
//! | `-o yaml` / `-o json`           | [`to_yaml`] / [`to_json`] (+ [`list_of`]) |
//! | `-o jsonpath=...`               | [`jsonpath`]                 |
//! | `-o custom-columns=...`         | [`custom_columns`]           |
//! | `kubectl describe`              | [`describe`] with [`DescribeContext`] |
//! | ages                            | [`human_duration`]           |

pub mod age;
pub mod columns;
pub mod custom_columns;
pub mod describe;
pub mod fields;
pub mod jsonpath;
pub mod names;
pub mod table;
pub mod tabwriter;
pub mod yaml_json;

pub use age::{human_duration, short_human_duration};
pub use custom_columns::{CustomColumnsError, custom_columns};
pub use describe::{DescribeContext, describe};
pub use jsonpath::{JsonPathError, jsonpath};
pub use names::name_output;
pub use table::{TableOptions, table};
pub use tabwriter::align;
pub use yaml_json::{list_of, to_json, to_yaml};
