//! Resource amounts the scheduler adds up: CPU in millicores, memory and storage in bytes, pods and
//! extended resources (`nvidia.com/gpu`) as counts. Quantities are parsed by `api::quantity`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::sim::api::quantity::{Quantity, parse_quantity};

/// What the scheduler assumes for a container without a CPU request when it *scores* nodes (not when
/// it filters): `schedutil.DefaultMilliCPURequest`.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest`: 200 MiB.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// A vector of resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    /// `pods` (only meaningful in a node's allocatable).
    pub allowed_pods: i64,
    /// Extended resources and hugepages, by name.
    pub scalar: BTreeMap<String, i64>,
}

impl Resources {
    /// Reads a `ResourceList` (`{"cpu": "500m", "memory": "1Gi"}`); unparsable quantities count as zero
    /// (the apiserver rejects them before they get here). A bare JSON number is read from its text,
    /// as the kubelet reads it: `cpu: 18446744073709551615` is too big for an `i64` but is still a
    /// quantity (saturated), and were it read as zero here, the scheduler would place a pod the kubelet
    /// then rejects (`OutOfcpu`), and its controller would replace it in a hot loop.
    pub fn from_list(list: Option<&Value>) -> Self {
        let mut r = Resources::default();
        for (name, q) in list.and_then(Value::as_object).into_iter().flatten() {
            let text = match q {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let Ok(q) = parse_quantity(&text) else { continue };
            r.set(name, q);
        }
        r
    }

    /// Sets one named resource (unknown plain names are ignored).
    pub fn set(&mut self, name: &str, q: Quantity) {
        match name {
            "cpu" => self.milli_cpu = q.milli_value(),
            "memory" => self.memory = q.value(),
            "ephemeral-storage" => self.ephemeral_storage = q.value(),
            "pods" => self.allowed_pods = q.value(),
            other if is_scalar(other) => {
                self.scalar.insert(other.to_string(), q.value());
            }
            _ => {}
        }
    }

    /// Adds another vector (a pod joins a node).
    pub fn add(&mut self, o: &Resources) {
        self.milli_cpu += o.milli_cpu;
        self.memory += o.memory;
        self.ephemeral_storage += o.ephemeral_storage;
        self.allowed_pods += o.allowed_pods;
        for (k, v) in &o.scalar {
            *self.scalar.entry(k.clone()).or_default() += v;
        }
    }

    /// Subtracts another vector (a pod leaves a node).
    pub fn sub(&mut self, o: &Resources) {
        self.milli_cpu -= o.milli_cpu;
        self.memory -= o.memory;
        self.ephemeral_storage -= o.ephemeral_storage;
        self.allowed_pods -= o.allowed_pods;
        for (k, v) in &o.scalar {
            *self.scalar.entry(k.clone()).or_default() -= v;
        }
    }

    /// Keeps, per resource, the larger of the two (init containers run one after another).
    pub fn max_with(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.max(o.milli_cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(o.ephemeral_storage);
        for (k, v) in &o.scalar {
            let e = self.scalar.entry(k.clone()).or_default();
            *e = (*e).max(*v);
        }
    }

    /// True when the pod asks for nothing (a BestEffort pod).
    pub fn is_zero(&self) -> bool {
        self.milli_cpu == 0 && self.memory == 0 && self.ephemeral_storage == 0 && self.scalar.values().all(|v| *v == 0)
    }
}

/// Extended resources (`example.com/foo`), hugepages and attachable volumes are counted like the
/// scheduler's `IsScalarResourceName`; the plain names it does not know are ignored.
fn is_scalar(name: &str) -> bool {
    name.contains('/') || name.starts_with("hugepages-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resource_lists_add_sub_and_max() {
        let a = Resources::from_list(Some(
            &json!({"cpu": "250m", "memory": "64Mi", "nvidia.com/gpu": "1", "bogus": "1", "pods": "110"}),
        ));
        assert_eq!((a.milli_cpu, a.memory, a.allowed_pods), (250, 64 * 1024 * 1024, 110));
        assert_eq!(a.scalar.get("nvidia.com/gpu"), Some(&1));
        assert!(!a.scalar.contains_key("bogus"));
        let mut sum = a.clone();
        sum.add(&a);
        assert_eq!(sum.milli_cpu, 500);
        sum.sub(&a);
        assert_eq!(sum, a);
        let mut m = Resources::from_list(Some(&json!({"cpu": "1"})));
        m.max_with(&a);
        assert_eq!((m.milli_cpu, m.memory), (1000, 64 * 1024 * 1024));
        assert!(Resources::from_list(Some(&json!({"cpu": "oops"}))).is_zero());
        assert!(Resources::from_list(None).is_zero());
    }

    /// Bare JSON numbers are quantities too, read as the kubelet's admission reads them (from their
    /// text, saturating): a request too big for an `i64` must not count as zero here.
    #[test]
    fn numbers_are_read_like_the_kubelet_reads_them() {
        for (list, milli_cpu, memory) in [
            (json!({"cpu": 2, "memory": 1024}), 2_000, 1024),
            (json!({"cpu": 0.5}), 500, 0),
            (json!({"cpu": 18446744073709551615u64}), i64::MAX, 0),
            (json!({"memory": 18446744073709551615u64}), 0, i64::MAX),
            (json!({"cpu": true, "memory": null}), 0, 0),
        ] {
            let r = Resources::from_list(Some(&list));
            assert_eq!((r.milli_cpu, r.memory), (milli_cpu, memory), "{list}");
        }
    }
}
