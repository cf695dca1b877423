//! Reads: ranges over one key or a prefix, now or at a past revision, and one key's history.

use std::ops::Bound;

use super::mvcc::{self, KeyIndex};
use super::{KeyValue, RangeRequest, RangeResponse, Revision, Store, StoreError};

impl Store {
    /// Reads one key or every key under a prefix, sorted by key, now or as of `req.revision`.
    ///
    /// A historical read fails with [`StoreError::Compacted`] below the compacted revision and
    /// [`StoreError::FutureRevision`] above the current one. `count` counts every match even
    /// when `limit` cuts `kvs` short, as etcd does, so a paginating client knows how many remain.
    pub fn range(&self, req: &RangeRequest) -> Result<RangeResponse, StoreError> {
        let at = self.read_revision(req.revision)?;
        if req.key.is_empty() && !req.prefix {
            return Err(StoreError::EmptyKey);
        }
        let mut kvs = Vec::new();
        let mut count = 0;
        let from = req.start.as_deref().filter(|s| req.prefix && *s > req.key.as_str()).unwrap_or(&req.key);
        for ki in self.scan_from(&req.key, req.prefix, from) {
            // The common case, a current read, takes the last version without a search.
            let found = if at == self.revision { ki.live() } else { ki.at(at) };
            let Some((g, v)) = found else { continue };
            count += 1;
            if req.limit == 0 || kvs.len() < req.limit {
                kvs.push(mvcc::key_value(&ki.key, g, v));
            }
        }
        Ok(RangeResponse { more: count > kvs.len(), kvs, count, revision: self.revision })
    }

    /// Every retained version of `key`, oldest first, for the UI's "key history".
    ///
    /// A delete appears as a record with an empty value, `version` 0 and `mod_revision` = the
    /// deleting revision (the same shape as a DELETE watch event's `kv`). Compacted versions are
    /// gone; a missing key gives an empty list.
    pub fn history(&self, key: &str) -> Vec<KeyValue> {
        self.index.get(key).map(|ki| ki.history()).unwrap_or_default()
    }

    /// Checks a requested read revision; `None` or <= 0 means the current one.
    pub(super) fn read_revision(&self, requested: Option<Revision>) -> Result<Revision, StoreError> {
        match requested {
            None => Ok(self.revision),
            Some(r) if r <= 0 => Ok(self.revision),
            Some(r) if r > self.revision => Err(StoreError::FutureRevision { requested: r, current: self.revision }),
            Some(r) if r < self.compacted => Err(StoreError::Compacted { requested: r, compacted: self.compacted }),
            Some(r) => Ok(r),
        }
    }

    /// The histories of `key` alone, or of every key starting with it, in key order (live or not).
    pub(super) fn scan<'a>(&'a self, key: &'a str, prefix: bool) -> impl Iterator<Item = &'a KeyIndex> + 'a {
        self.scan_from(key, prefix, key)
    }

    /// As `scan`, beginning at `from` (a key at or after `key`, within the prefix).
    fn scan_from<'a>(&'a self, key: &'a str, prefix: bool, from: &'a str) -> impl Iterator<Item = &'a KeyIndex> + 'a {
        let upper = if prefix { Bound::Unbounded } else { Bound::Included(key) };
        self.index
            .range::<str, _>((Bound::Included(from), upper))
            .take_while(move |(k, _)| !prefix || k.starts_with(key))
            .map(|(_, ki)| ki)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::*;

    fn store_with(keys: &[&str]) -> Store {
        let mut s = Store::new();
        for k in keys {
            s.put(k, Value::from(k.as_bytes()), None).expect("valid put");
        }
        s
    }

    fn keys(r: &RangeResponse) -> Vec<&str> {
        r.kvs.iter().map(|kv| &*kv.key).collect()
    }

    #[test]
    fn ranges_select_sort_and_limit() {
        let s = store_with(&["/pods/b", "/pods/a", "/pods", "/podsX", "/svc/a", "/pods/c"]);
        // (request, keys returned, count, more)
        let table: Vec<(RangeRequest, Vec<&str>, usize, bool)> = vec![
            (RangeRequest::key("/pods/a"), vec!["/pods/a"], 1, false),
            (RangeRequest::key("/pods/zz"), vec![], 0, false),
            (RangeRequest::prefix("/pods/"), vec!["/pods/a", "/pods/b", "/pods/c"], 3, false),
            (RangeRequest::prefix("/pods/").limit(2), vec!["/pods/a", "/pods/b"], 3, true),
            (RangeRequest::prefix("/pods/").limit(3), vec!["/pods/a", "/pods/b", "/pods/c"], 3, false),
            (RangeRequest::prefix("/pods"), vec!["/pods", "/pods/a", "/pods/b", "/pods/c", "/podsX"], 5, false),
            (RangeRequest::prefix("/nothing/"), vec![], 0, false),
            (RangeRequest::prefix("").limit(1), vec!["/pods"], 6, true),
        ];
        for (req, want, count, more) in table {
            let got = s.range(&req).expect("valid range");
            assert_eq!((keys(&got), got.count, got.more), (want, count, more), "{req:?}");
            assert_eq!(got.revision, 7);
        }
    }

    #[test]
    fn a_prefix_range_can_begin_at_a_later_key() {
        let s = store_with(&["/a/1", "/a/2", "/a/3", "/b/1"]);
        let r = s.range(&RangeRequest::prefix("/a/").from("/a/2")).expect("range");
        assert_eq!((keys(&r), r.count), (vec!["/a/2", "/a/3"], 2));
        // A continue key just past a key (`key + "\0"`) skips that key.
        let r = s.range(&RangeRequest::prefix("/a/").from("/a/2\0").limit(1)).expect("range");
        assert_eq!((keys(&r), r.count, r.more), (vec!["/a/3"], 1, false));
        // A start before the prefix reads from the prefix; past its end reads nothing.
        assert_eq!(s.range(&RangeRequest::prefix("/a/").from("/")).expect("range").count, 3);
        assert_eq!(s.range(&RangeRequest::prefix("/a/").from("/a/9")).expect("range").count, 0);
    }

    #[test]
    fn historical_ranges_see_the_past_and_skip_later_keys() {
        let mut s = store_with(&["/a", "/b"]);
        s.delete("/a");
        s.put("/c", Value::from(&b"c"[..]), None).expect("valid put");
        let at = |rev| keys(&s.range(&RangeRequest::prefix("/").at(rev)).expect("retained")).join(",");
        assert_eq!(at(1), "");
        assert_eq!(at(2), "/a");
        assert_eq!(at(3), "/a,/b");
        assert_eq!(at(4), "/b");
        assert_eq!(at(5), "/b,/c");
        assert_eq!(at(0), "/b,/c", "0 means now");
        assert_eq!(s.range(&RangeRequest::prefix("/").at(3)).expect("retained").revision, 5);
    }

    #[test]
    fn range_error_paths() {
        let mut s = store_with(&["/a", "/b", "/c"]);
        s.compact(3).expect("valid compaction");
        let table = [
            (RangeRequest::key("/a").at(5), Err(StoreError::FutureRevision { requested: 5, current: 4 })),
            (RangeRequest::key("/a").at(2), Err(StoreError::Compacted { requested: 2, compacted: 3 })),
            (RangeRequest::key(""), Err(StoreError::EmptyKey)),
            (RangeRequest::key("/a").at(3), Ok(1)),
        ];
        for (req, want) in table {
            assert_eq!(s.range(&req).map(|r| r.count), want, "{req:?}");
        }
    }

    #[test]
    fn history_lists_versions_and_tombstones_oldest_first() {
        let mut s = store_with(&["k"]);
        s.put("k", Value::from(&b"2"[..]), None).expect("valid put");
        s.delete("k");
        s.put("k", Value::from(&b"3"[..]), None).expect("valid put");
        let h: Vec<_> = s.history("k").iter().map(|kv| (kv.mod_revision, kv.version, kv.create_revision)).collect();
        assert_eq!(h, [(2, 1, 2), (3, 2, 2), (4, 0, 0), (5, 1, 5)]);
        assert!(s.history("missing").is_empty());
    }
}
