//! A line diff, to show what an object's last revision changed.
//!
//! Two revisions of one object share almost every line, so the common head and tail are cut off
//! first and only the middle goes through the longest-common-subsequence table; that keeps the
//! table small even for a large object with a one-line change.

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
    /// Unchanged lines left out between two changes.
    Skipped(usize),
}

/// Past this many cells the middle is shown as all removed then all added, rather than diffed.
const MAX_TABLE: usize = 400_000;

/// The lines of `new` against `old`, with `context` unchanged lines kept around each change.
pub fn diff_lines(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..].iter().rev().zip(b[head..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (mid_a, mid_b) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut full: Vec<DiffLine> = a[..head].iter().map(|l| DiffLine::Same(l.to_string())).collect();
    full.extend(middle(mid_a, mid_b));
    full.extend(a[a.len() - tail..].iter().map(|l| DiffLine::Same(l.to_string())));
    with_context(full, context)
}

/// The middle part: an LCS walk, or a plain replace when the table would be too big.
fn middle(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    if a.len() * b.len() > MAX_TABLE {
        let removed = a.iter().map(|l| DiffLine::Removed(l.to_string()));
        return removed.chain(b.iter().map(|l| DiffLine::Added(l.to_string()))).collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals first where either order is as short, as `diff -u` prints them.
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    out
}

/// Keeps `context` unchanged lines on each side of a change and folds the rest into `Skipped`.
fn with_context(lines: Vec<DiffLine>, context: usize) -> Vec<DiffLine> {
    let changed: Vec<usize> =
        lines.iter().enumerate().filter(|(_, l)| !matches!(l, DiffLine::Same(_))).map(|(i, _)| i).collect();
    let near = |i: usize| changed.iter().any(|c| c.abs_diff(i) <= context);
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, line) in lines.into_iter().enumerate() {
        if matches!(line, DiffLine::Same(_)) && !near(i) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            out.push(DiffLine::Skipped(skipped));
            skipped = 0;
        }
        out.push(line);
    }
    if skipped > 0 && !out.is_empty() {
        out.push(DiffLine::Skipped(skipped));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::DiffLine::*;
    use super::*;

    fn s(t: &str) -> String {
        t.to_string()
    }

    #[test]
    fn shows_a_changed_line_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\n";
        assert_eq!(
            diff_lines(old, new, 1),
            vec![Skipped(2), Same(s("c")), Removed(s("d")), Added(s("D")), Same(s("e")), Skipped(2)]
        );
    }

    #[test]
    fn finds_insertions_and_deletions_in_the_middle() {
        let old = "x\nkeep1\ngone\nkeep2\ny\n";
        let new = "x\nkeep1\nkeep2\nnew\ny\n";
        let got = diff_lines(old, new, 0);
        assert_eq!(got, vec![Skipped(2), Removed(s("gone")), Skipped(1), Added(s("new")), Skipped(1)]);
    }

    #[test]
    fn equal_texts_have_no_lines_and_creation_is_all_added() {
        assert!(diff_lines("a\nb\n", "a\nb\n", 3).is_empty());
        assert_eq!(diff_lines("", "a\nb\n", 3), vec![Added(s("a")), Added(s("b"))]);
        assert_eq!(diff_lines("a\n", "", 3), vec![Removed(s("a"))]);
    }

    #[test]
    fn a_huge_middle_is_replaced_whole() {
        let old: String = (0..700).map(|i| format!("o{i}\n")).collect();
        let new: String = (0..700).map(|i| format!("n{i}\n")).collect();
        let d = diff_lines(&old, &new, 0);
        assert_eq!(d.len(), 1400);
        assert!(d[..700].iter().all(|l| matches!(l, Removed(_))) && d[700..].iter().all(|l| matches!(l, Added(_))));
    }
}
