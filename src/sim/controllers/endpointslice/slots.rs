//! Which endpoint sits in which slice of one Service, and the slice writes that changes call for.

use crate::sim::sort::StableSort;
use std::collections::BTreeMap;

use serde_json::Value;

use super::{MAX_PER_SLICE, endpoint};
use crate::sim::client::ObjectKey;
use crate::sim::controllers::members::Member;
use crate::sim::controllers::objects::{self, str_at};

/// A write one Service's slices need.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Create { endpoints: Value, ports: Value },
    Update { name: String, endpoints: Value, ports: Value },
    Delete { name: String },
}

/// One slice, existing (`name`) or to be created.
#[derive(Debug, Clone, Default)]
struct Slot {
    name: Option<String>,
    ports: Vec<Value>,
    members: BTreeMap<ObjectKey, Value>,
    dirty: bool,
    /// The endpoints sent in a create that has not been answered yet.
    creating: Option<Value>,
}

impl Slot {
    fn endpoints(&self) -> Value {
        Value::Array(self.members.values().cloned().collect())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Slots {
    slots: Vec<Slot>,
    slot_of: BTreeMap<ObjectKey, usize>,
}

impl Slots {
    /// Reads the existing slices (endpoints stay where they are) and places the members.
    pub fn from_slices<'a>(existing: impl Iterator<Item = &'a Value>, members: &BTreeMap<ObjectKey, Member>) -> Self {
        let mut me = Slots::default();
        let mut existing: Vec<&Value> = existing.collect();
        existing.stable_sort_by_key(|s| objects::name(s).to_string());
        for s in existing {
            let ports = s.get("ports").and_then(Value::as_array).cloned().unwrap_or_default();
            let idx = me.slots.len();
            let mut slot = Slot { name: Some(objects::name(s).to_string()), ports, ..Slot::default() };
            for e in s.get("endpoints").and_then(Value::as_array).into_iter().flatten() {
                let pod = (str_at(e, "/targetRef/namespace").to_string(), str_at(e, "/targetRef/name").to_string());
                match members.get(&pod).filter(|m| m.ports == slot.ports && !me.slot_of.contains_key(&pod)) {
                    Some(m) => {
                        let want = endpoint(m);
                        slot.dirty |= want != *e;
                        slot.members.insert(pod.clone(), want);
                        me.slot_of.insert(pod, idx);
                    }
                    None => slot.dirty = true,
                }
            }
            me.slots.push(slot);
        }
        for (pod, m) in members {
            if !me.slot_of.contains_key(pod) {
                me.put(pod, endpoint(m), &m.ports);
            }
        }
        if me.slots.is_empty() {
            me.slots.push(Slot { dirty: true, ..Slot::default() });
        }
        me
    }

    /// Sets a pod's endpoint: in place if its slice still fits, else into a slice with room.
    pub fn put(&mut self, pod: &ObjectKey, ep: Value, ports: &[Value]) {
        if let Some(&i) = self.slot_of.get(pod) {
            let slot = &mut self.slots[i];
            if slot.ports == ports {
                if slot.members.get(pod) != Some(&ep) {
                    slot.members.insert(pod.clone(), ep);
                    slot.dirty = true;
                }
                return;
            }
            self.remove(pod);
        }
        // A slice with these ports and room first (upstream fills existing slices before it makes
        // one); else an empty one, whose name is reused: the placeholder of a Service that had no
        // endpoints is updated rather than deleted and replaced (the reconciler's `finalize` turns a
        // create and a delete into one update); else a new slice.
        let same_ports = |s: &Slot| s.ports == ports && !s.members.is_empty() && s.members.len() < MAX_PER_SLICE;
        let empty = |s: &Slot| s.members.is_empty() && s.creating.is_none();
        let i = match self.slots.iter().position(same_ports).or_else(|| self.slots.iter().position(empty)) {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[i];
        slot.ports = ports.to_vec();
        slot.members.insert(pod.clone(), ep);
        slot.dirty = true;
        self.slot_of.insert(pod.clone(), i);
    }

    pub fn remove(&mut self, pod: &ObjectKey) {
        if let Some(i) = self.slot_of.remove(pod) {
            self.slots[i].members.remove(pod);
            self.slots[i].dirty = true;
        }
    }

    /// Whether a slice of this name is one we track.
    pub fn knows(&self, name: &str) -> bool {
        self.slots.iter().any(|s| s.name.as_deref() == Some(name))
    }

    /// A create was answered: the slice it made now has a name.
    pub fn created(&mut self, sent: &Value, name: &str) {
        let i = self
            .slots
            .iter()
            .position(|s| s.creating.as_ref() == Some(sent))
            .or_else(|| self.slots.iter().position(|s| s.creating.is_some()));
        if let Some(i) = i {
            let slot = &mut self.slots[i];
            slot.creating = None;
            slot.name = Some(name.to_string());
            // Changes made while the create was in flight still need writing.
            slot.dirty |= Some(slot.endpoints()) != Some(sent.clone());
        }
    }

    /// The writes for everything that changed since the last call.
    pub fn take_writes(&mut self) -> Vec<Write> {
        let mut out = Vec::new();
        let mut named = self.slots.iter().filter(|s| s.name.is_some()).count();
        for slot in &mut self.slots {
            if slot.members.is_empty() && slot.name.is_some() && named > 1 {
                named -= 1;
                out.push(Write::Delete { name: slot.name.take().unwrap_or_default() });
                slot.dirty = false;
                continue;
            }
            if !slot.dirty {
                continue;
            }
            let (endpoints, ports) = (slot.endpoints(), Value::Array(slot.ports.clone()));
            match (&slot.name, &slot.creating) {
                (Some(name), _) => {
                    out.push(Write::Update { name: name.clone(), endpoints, ports });
                    slot.dirty = false;
                }
                // An empty slice is only created as the placeholder of a Service with no endpoints.
                (None, None) if !slot.members.is_empty() || named == 0 => {
                    slot.creating = Some(endpoints.clone());
                    named += 1;
                    out.push(Write::Create { endpoints, ports });
                    slot.dirty = false;
                }
                _ => {}
            }
        }
        out
    }
}
