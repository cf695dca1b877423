//! Component names, each made once: every message records its sender and receiver by name, and
//! formatting them anew for each of millions of messages would cost two allocations a message.

use std::collections::HashMap;
use std::sync::Arc;

use crate::sim::component::Component;

/// One shared name per component (a cluster has a few per node), never forgotten.
#[derive(Debug, Default)]
pub(super) struct Names(HashMap<Component, Arc<str>>);

impl Names {
    /// The name `Display` prints for `c`, shared.
    pub(super) fn get(&mut self, c: &Component) -> Arc<str> {
        if let Some(name) = self.0.get(c) {
            return name.clone();
        }
        let name: Arc<str> = Arc::from(c.to_string());
        self.0.insert(c.clone(), name.clone());
        name
    }
}
