//! `kubectl get --sort-by=FIELD` as `pkg/cmd/get/sorter.go` sorts: the field is a relaxed JSONPath
//! (`.metadata.name` stands for `{.metadata.name}`), each object's first value decides, an object
//! without the field sorts first, numbers compare as numbers, and strings as resource quantities
//! when both are quantities, else byte by byte. kubectl 1.33 sorts names so (`a-10` before `a-2`,
//! checked against the binary through `sandbox serve`), not in the natural order older sources used.

use std::cmp::Ordering;

use serde_json::Value;

use super::printers::custom_columns::relaxed_jsonpath;
use super::printers::jsonpath::find_values;
use crate::sim::api::quantity::parse_quantity;

/// Sorts `objs` by `field`, or says why not in kubectl's words. Like kubectl, an empty list is left
/// alone, and a field no object has is an error.
pub fn sort_objects(objs: &mut Vec<Value>, field: &str) -> Result<(), String> {
    if objs.is_empty() {
        return Ok(());
    }
    let path = relaxed_jsonpath(field).map_err(|e| e.to_string())?;
    let mut keys = Vec::with_capacity(objs.len());
    for obj in objs.iter() {
        let found = find_values(&path, obj).map_err(|e| format!("error: {e}"))?;
        keys.push(found.into_iter().next().and_then(|list| list.into_iter().next()));
    }
    if keys.iter().all(Option::is_none) {
        return Err(format!("error: couldn't find any field with path {path:?} in the list of objects"));
    }
    // Check every pair kubectl could compare before sorting, so that an unsortable field is
    // refused (kubectl exits with `klog.Exitf`) instead of being sorted half-way.
    let present: Vec<&Value> = keys.iter().flatten().collect();
    for pair in present.windows(2) {
        is_less(pair[0], pair[1]).map_err(|why| format!("error: Field {path} is an unsortable type: {why}"))?;
    }
    let mut keyed: Vec<(Option<Value>, Value)> = keys.into_iter().zip(objs.drain(..)).collect();
    insertion_sort(&mut keyed, |a, b| match (&a.0, &b.0) {
        (None, _) => true,
        (_, None) => false,
        (Some(i), Some(j)) => is_less(i, j).unwrap_or(false),
    });
    objs.extend(keyed.into_iter().map(|(_, obj)| obj));
    Ok(())
}

/// Go's `sort.Sort` on the short lists a learner has (12 or fewer) is an insertion sort, whose
/// result with kubectl's `Less` (not a strict order: two objects without the field are each "less"
/// than the other) is reproduced exactly by running the same algorithm. Longer lists use it too;
/// Go's pattern-defeating quicksort may order equal keys differently there (README).
fn insertion_sort<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// `isLess` for the values of unstructured objects (`interface{}` holding int64, float64 or string).
fn is_less(i: &Value, j: &Value) -> Result<bool, String> {
    match (i, j) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Ok(a < b),
            (None, None) => Ok(a.as_f64() < b.as_f64()),
            _ => Err("unsortable interface: interface".into()),
        },
        (Value::String(a), Value::String(b)) => match (parse_quantity(a), parse_quantity(b)) {
            (Ok(qa), Ok(qb)) => Ok(qa.cmp(&qb) == Ordering::Less),
            _ => Ok(a < b),
        },
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        (Value::String(_) | Value::Number(_), _) => Err("unsortable interface: interface".into()),
        (other, _) => Err(format!("unsortable type: {}", go_type(other))),
    }
}

/// How Go names the type of an unstructured value in `%T`.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
        _ => "interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(objs: &[Value]) -> Vec<&str> {
        objs.iter().map(|o| o["metadata"]["name"].as_str().unwrap_or("?")).collect()
    }

    #[test]
    fn sorts_by_numbers_quantities_and_names() {
        let mut objs = vec![
            json!({"metadata": {"name": "web-10"}, "spec": {"replicas": 3}, "m": "1Gi"}),
            json!({"metadata": {"name": "web-2"}, "spec": {"replicas": 1}, "m": "512Mi"}),
            json!({"metadata": {"name": "web-1"}, "spec": {"replicas": 2}, "m": "2Gi"}),
        ];
        sort_objects(&mut objs, ".metadata.name").expect("sortable");
        assert_eq!(names(&objs), ["web-1", "web-10", "web-2"], "byte order, as kubectl 1.33");
        sort_objects(&mut objs, "{.spec.replicas}").expect("sortable");
        assert_eq!(names(&objs), ["web-2", "web-1", "web-10"]);
        sort_objects(&mut objs, "m").expect("quantities");
        assert_eq!(names(&objs), ["web-2", "web-10", "web-1"]);
    }

    /// An object without the field sorts first (several of them in reverse: kubectl's `Less` says
    /// each is less than the other, and Go's insertion sort moves each to the front); a field
    /// nobody has is kubectl's error.
    #[test]
    fn missing_fields() {
        let mut objs: Vec<Value> = ["a", "b", "c"].iter().map(|n| json!({"metadata": {"name": n}})).collect();
        objs.push(json!({"metadata": {"name": "d", "labels": {"v": "1"}}}));
        sort_objects(&mut objs, ".metadata.labels.v").expect("found once");
        assert_eq!(names(&objs), ["c", "b", "a", "d"], "as kubectl 1.33 printed it");
        let mut objs =
            vec![json!({"metadata": {"name": "b", "labels": {"tier": "2"}}}), json!({"metadata": {"name": "a"}})];
        sort_objects(&mut objs, ".metadata.labels.tier").expect("found once");
        assert_eq!(names(&objs), ["a", "b"]);
        assert_eq!(
            sort_objects(&mut objs, ".metadata.nope"),
            Err("error: couldn't find any field with path \"{.metadata.nope}\" in the list of objects".into())
        );
        assert_eq!(names(&objs), ["a", "b"], "a refused sort keeps the list");
        assert!(sort_objects(&mut Vec::new(), ".metadata.nope").is_ok(), "an empty list is not sorted");
        assert!(sort_objects(&mut objs, "{{").is_err());
    }

    #[test]
    fn unsortable_values_are_refused() {
        let mut objs = vec![json!({"a": {"x": 1}}), json!({"a": {"x": 2}})];
        let e = sort_objects(&mut objs, ".a").expect_err("maps do not sort");
        assert!(e.contains("unsortable type: map[string]interface {}"), "{e}");
        assert_eq!(objs.len(), 2, "nothing lost");
    }
}
