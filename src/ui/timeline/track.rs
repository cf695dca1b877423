//! The timeline's geometry as plain data: where a virtual time sits along the track, which time a
//! pointer position means, where the learner's actions are marked, and where each key moves to.
//!
//! ```text
//!   0 ms                                                         end (the present's clock)
//!   |──────▲────────────────▲▲──────────────●══════════════════|
//!          create           scale, get      playhead (the display time)
//! ```

use crate::sim::time::Millis;
use crate::ui::clock::format_clock;
use crate::ui::cluster::history::{describe, reads_only};
use crate::ui::session::{Logged, Op};

/// How far one arrow key moves the playhead (virtual ms); with Shift, [`BIG_STEP_MS`].
pub const STEP_MS: f64 = 1_000.0;
pub const BIG_STEP_MS: f64 = 10_000.0;
/// Hover titles longer than this are cut (a pasted manifest's command line can be long).
const TITLE_CHARS: usize = 120;

/// How a marker is drawn: a reading command fainter than a change; faults stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    Read,
    Change,
    Fault,
}

impl MarkKind {
    /// The CSS class of the marker.
    pub fn class(self) -> &'static str {
        match self {
            MarkKind::Read => "read",
            MarkKind::Change => "change",
            MarkKind::Fault => "fault",
        }
    }
}

/// One logged action's mark on the track.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at: Millis,
    /// Percent of the track's width from its left end.
    pub left: f64,
    /// The hover title: the time and the action, as the learner did it.
    pub title: String,
    pub kind: MarkKind,
}

/// Where time `t` sits along a track spanning `0..=end`, from 0 (left) to 1 (right).
pub fn fraction(t: f64, end: f64) -> f64 {
    if !positive(end) || !t.is_finite() {
        return 0.0;
    }
    (t / end).clamp(0.0, 1.0)
}

/// Finite and above zero (NaN is not).
fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The virtual time under the pointer at viewport x `x` (clientX), on a track whose left edge is at `left` and
/// which is `width` pixels wide (positions off either end mean that end).
pub fn time_at(x: f64, left: f64, width: f64, end: f64) -> f64 {
    if !positive(width) || !positive(end) || !x.is_finite() || !left.is_finite() {
        return 0.0;
    }
    ((x - left) / width).clamp(0.0, 1.0) * end
}

/// A marker for every logged action, in log order.
pub fn markers(ops: &[Logged], end: f64) -> Vec<Marker> {
    ops.iter()
        .map(|l| {
            let kind = match &l.op {
                Op::Kubectl { .. } if reads_only(&l.op) => MarkKind::Read,
                Op::Kubectl { .. } | Op::AddNode { .. } => MarkKind::Change,
                Op::Node { .. } | Op::Component { .. } => MarkKind::Fault,
            };
            let mut title = format!("{}  {}", format_clock(l.at as f64), describe(&l.op));
            if title.chars().count() > TITLE_CHARS {
                title = title.chars().take(TITLE_CHARS - 1).chain(['…']).collect();
            }
            Marker { at: l.at, left: 100.0 * fraction(l.at as f64, end), title, kind }
        })
        .collect()
}

/// Where a key moves the playhead from `pos` on a track ending at `end`: arrows by a second (ten
/// with Shift), Page Up/Down to the previous/next action, Home to the start, End to the present.
/// None for keys the timeline leaves alone.
pub fn key_target(key: &str, shift: bool, pos: f64, end: f64, marks: &[Millis]) -> Option<f64> {
    let step = if shift { BIG_STEP_MS } else { STEP_MS };
    let t = match key {
        "ArrowLeft" | "ArrowDown" => pos - step,
        "ArrowRight" | "ArrowUp" => pos + step,
        "Home" => 0.0,
        "End" => end,
        "PageUp" => marks.iter().rev().map(|&m| m as f64).find(|&m| m < pos).unwrap_or(0.0),
        "PageDown" => marks.iter().map(|&m| m as f64).find(|&m| m > pos).unwrap_or(end),
        _ => return None,
    };
    Some(t.clamp(0.0, end.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_map_to_fractions_and_back() {
        let cases = [
            (0.0, 100.0, 0.0),
            (25.0, 100.0, 0.25),
            (100.0, 100.0, 1.0),
            (150.0, 100.0, 1.0),
            (-5.0, 100.0, 0.0),
            (5.0, 0.0, 0.0),
            (f64::NAN, 100.0, 0.0),
            (5.0, f64::NAN, 0.0),
        ];
        for (t, end, want) in cases {
            assert_eq!(fraction(t, end), want, "{t} of {end}");
        }
        // A 400 px track starting at x=100 over 80 virtual seconds.
        let cases =
            [(100.0, 0.0), (300.0, 40_000.0), (500.0, 80_000.0), (50.0, 0.0), (900.0, 80_000.0), (f64::NAN, 0.0)];
        for (x, want) in cases {
            assert_eq!(time_at(x, 100.0, 400.0, 80_000.0), want, "x={x}");
        }
        assert_eq!(time_at(150.0, 100.0, 0.0, 80_000.0), 0.0, "an unmeasured track means the start");
        for t in [0.0, 12_345.0, 80_000.0] {
            let x = 100.0 + 400.0 * fraction(t, 80_000.0);
            assert!((time_at(x, 100.0, 400.0, 80_000.0) - t).abs() < 1e-6, "round trip of {t}");
        }
    }

    #[test]
    fn every_action_is_marked_where_and_as_it_happened() {
        let ops = vec![
            Logged {
                at: 20_000,
                op: Op::Kubectl { line: "kubectl create deployment web --image=nginx".into(), stdin: None },
            },
            Logged { at: 40_000, op: Op::Kubectl { line: "kubectl get pods".into(), stdin: None } },
            Logged { at: 60_000, op: Op::Node { name: "sandbox-worker".into(), running: false } },
            Logged { at: 70_000, op: Op::AddNode { name: "sandbox-worker4".into() } },
            Logged {
                at: 90_000,
                op: Op::Kubectl { line: format!("kubectl label pod web {}", "x=y ".repeat(60)), stdin: None },
            },
        ];
        let got = markers(&ops, 80_000.0);
        let summary: Vec<(f64, MarkKind)> = got.iter().map(|m| (m.left, m.kind)).collect();
        assert_eq!(
            summary,
            [
                (25.0, MarkKind::Change),
                (50.0, MarkKind::Read),
                (75.0, MarkKind::Fault),
                (87.5, MarkKind::Change),
                (100.0, MarkKind::Change)
            ]
        );
        assert_eq!(got[0].title, "00:20.000  kubectl create deployment web --image=nginx");
        assert_eq!(got[2].title, "01:00.000  power off node sandbox-worker");
        assert_eq!(got[4].title.chars().count(), TITLE_CHARS, "long titles are cut");
        assert!(got[4].title.ends_with('…'));
        assert!(markers(&[], 10.0).is_empty());
        assert_eq!(markers(&ops[..1], 0.0)[0].left, 0.0, "an empty track puts everything at its start");
    }

    #[test]
    fn keys_move_the_playhead() {
        let marks = [20_000, 40_000, 40_000, 60_000];
        let cases: [(&str, bool, f64, Option<f64>); 14] = [
            ("ArrowLeft", false, 30_000.0, Some(29_000.0)),
            ("ArrowRight", false, 30_000.0, Some(31_000.0)),
            ("ArrowDown", true, 30_000.0, Some(20_000.0)),
            ("ArrowUp", true, 30_000.0, Some(40_000.0)),
            ("ArrowLeft", false, 500.0, Some(0.0)),
            ("ArrowRight", true, 95_000.0, Some(100_000.0)),
            ("Home", false, 30_000.0, Some(0.0)),
            ("End", false, 30_000.0, Some(100_000.0)),
            ("PageUp", false, 40_000.0, Some(20_000.0)),
            ("PageUp", false, 40_000.5, Some(40_000.0)),
            ("PageUp", false, 10_000.0, Some(0.0)),
            ("PageDown", false, 20_000.0, Some(40_000.0)),
            ("PageDown", false, 60_000.0, Some(100_000.0)),
            ("a", false, 30_000.0, None),
        ];
        for (key, shift, pos, want) in cases {
            assert_eq!(key_target(key, shift, pos, 100_000.0, &marks), want, "{key} shift={shift} from {pos}");
        }
        assert_eq!(key_target("End", false, 0.0, -1.0, &[]), Some(0.0), "a negative end is no end");
    }
}
