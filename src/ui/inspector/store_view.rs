//! What the inspector shows from etcd for one selection: the keys when etcd is selected, an object's
//! retained history when an object is (both read through `bridge::etcd`).

use crate::ui::bridge::Sim;
use crate::ui::bridge::etcd::{self, HistoryRow, KeyRow};
use crate::ui::state::Selection;

/// The store's side of the inspector's view.
#[derive(Debug, Default, PartialEq)]
pub struct StoreView {
    pub keys: Vec<KeyRow>,
    pub history: Vec<HistoryRow>,
}

impl StoreView {
    pub fn of(sim: &Sim, selection: &Selection) -> StoreView {
        match selection {
            Selection::Component(id) if id == "etcd" => StoreView { keys: etcd::keys(sim), history: Vec::new() },
            Selection::Object(key) => StoreView { keys: Vec::new(), history: etcd::history(sim, key) },
            _ => StoreView::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_picks_keys_or_history() {
        let sim = Sim::new(1);
        let keys = StoreView::of(&sim, &Selection::Component("etcd".into())).keys;
        assert!(!keys.is_empty() && keys == etcd::keys(&sim));
        assert_eq!(StoreView::of(&sim, &Selection::Component("kube-scheduler".into())), StoreView::default());
        let key = keys.first().map(|k| k.key.clone()).expect("a booted cluster stores objects");
        let view = StoreView::of(&sim, &Selection::Object(key.clone()));
        assert!(view.keys.is_empty() && !view.history.is_empty() && view.history == etcd::history(&sim, &key));
    }
}
