//! One stable sort for the whole crate, compiled once rather than once per call site.
//!
//! std's stable sort (driftsort) is fast but large, and it is instantiated again for every element
//! type and comparator: ~50 copies made ~200 KB of the page's wasm before wasm-opt. Here a merge sort
//! orders indices through a `dyn` comparator, so its code exists once; a call site adds only a
//! closure and a small in-place permutation. The result is exactly std's `sort_by`: stable, and so
//! deterministic. The lists sorted here (a command's rows, a controller's pods) are small; for them
//! the indirect comparator costs nothing measurable.

use std::cmp::Ordering;

/// Stable sorts for slices and vectors: drop-in for `sort`, `sort_by` and `sort_by_key`.
pub trait StableSort<T> {
    fn stable_sort(&mut self)
    where
        T: Ord;
    fn stable_sort_by(&mut self, cmp: impl FnMut(&T, &T) -> Ordering);
    fn stable_sort_by_key<K: Ord>(&mut self, key: impl FnMut(&T) -> K);
}

impl<T> StableSort<T> for [T] {
    fn stable_sort(&mut self)
    where
        T: Ord,
    {
        self.stable_sort_by(T::cmp);
    }

    fn stable_sort_by(&mut self, mut cmp: impl FnMut(&T, &T) -> Ordering) {
        if self.len() < 2 {
            return;
        }
        let items = &*self;
        let order = merge_order(items.len(), &mut |a, b| cmp(&items[a], &items[b]));
        permute(self, order);
    }

    fn stable_sort_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.stable_sort_by(|a, b| key(a).cmp(&key(b)));
    }
}

/// The sorted order of `0..n` under `cmp`: bottom-up merge sort, taking from the right run only
/// when it is strictly less, which keeps equal items in their original order.
#[inline(never)]
fn merge_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..n).collect();
    let mut to = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut l, mut r, mut k) = (start, mid, start);
            while l < mid && r < end {
                if cmp(from[r], from[l]) == Ordering::Less {
                    to[k] = from[r];
                    r += 1;
                } else {
                    to[k] = from[l];
                    l += 1;
                }
                k += 1;
            }
            to[k..k + (mid - l)].copy_from_slice(&from[l..mid]);
            k += mid - l;
            to[k..end].copy_from_slice(&from[r..end]);
            start = end;
        }
        std::mem::swap(&mut from, &mut to);
        width *= 2;
    }
    from
}

/// Moves `v[order[k]]` to position `k` for every k, following each cycle of the permutation once.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for i in 0..v.len() {
        let mut j = i;
        while order[j] != DONE {
            let next = order[j];
            order[j] = DONE;
            if next == i {
                break;
            }
            v.swap(j, next);
            j = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_equal_items_in_their_order() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        v.stable_sort_by_key(|p| p.0);
        assert_eq!(v, vec![(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }

    #[test]
    fn sorts_empty_single_and_reversed() {
        let mut empty: Vec<u8> = vec![];
        empty.stable_sort();
        assert!(empty.is_empty());
        let mut one = vec!["x"];
        one.stable_sort();
        assert_eq!(one, vec!["x"]);
        let mut rev: Vec<u32> = (0..100).rev().collect();
        rev.stable_sort_by(|a, b| a.cmp(b));
        assert_eq!(rev, (0..100).collect::<Vec<_>>());
    }

    proptest! {
        #[test]
        fn matches_std_stable_sort(v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            ours.stable_sort_by_key(|p| p.0);
            let mut std_sorted = v;
            std_sorted.sort_by_key(|p| p.0);
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
