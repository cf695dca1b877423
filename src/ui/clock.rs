//! The display clock: how fast virtual time runs on screen, slowed down while messages travel.
//!
//! Network hops take a few virtual milliseconds; shown in real time they would be invisible. So while
//! a message is in flight, the clock runs slowly enough that its trip takes [`HOP_REAL_MS`] of real
//! time at 1× (divided by the speed); with nothing on the wire it runs at the chosen speed, and never
//! jumps over the start of the next message.

use crate::sim::time::Millis;

/// Real milliseconds one network hop takes on screen at 1×.
pub const HOP_REAL_MS: f64 = 700.0;
/// A longer real gap between two frames (a background tab) counts as this much, not as a jump.
pub const MAX_FRAME_MS: f64 = 250.0;
/// The speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];

/// How fast the display clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// This many virtual ms per real ms (slowed during hops).
    Times(f64),
    /// As fast as the browser can simulate; no animation.
    Max,
}

impl Speed {
    /// The label on the speed selector, e.g. `0.25×`, `1×`, `max`.
    pub fn label(&self) -> String {
        match self {
            Speed::Times(x) => format!("{x}×"),
            Speed::Max => "max".into(),
        }
    }
}

/// Virtual ms to advance the display by after `real_ms` of real time.
///
/// `shortest_trip` is the shortest trip among the messages on the wire (None when nothing is).
pub fn advance(real_ms: f64, speed: f64, shortest_trip: Option<Millis>) -> f64 {
    if !real_ms.is_finite() || !speed.is_finite() || real_ms <= 0.0 || speed <= 0.0 {
        return 0.0;
    }
    let rate = match shortest_trip {
        Some(trip) if trip > 0 => speed * (trip as f64 / HOP_REAL_MS).min(1.0),
        _ => speed,
    };
    real_ms.min(MAX_FRAME_MS) * rate
}

/// `mm:ss.mmm` (or `h:mm:ss.mmm`) of virtual time since the cluster started.
pub fn format_clock(t: f64) -> String {
    let ms = if t.is_finite() && t > 0.0 { t.floor() as u64 } else { 0 };
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{milli:03}") } else { format!("{m:02}:{s:02}.{milli:03}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_follows_speed_and_slows_for_hops() {
        let cases = [
            // (real ms, speed, shortest trip, virtual ms)
            (100.0, 1.0, None, 100.0),
            (100.0, 10.0, None, 1000.0),
            (100.0, 0.25, None, 25.0),
            (175.0, 1.0, Some(2), 0.5),
            (70.0, 100.0, Some(7), 70.0),
            (100.0, 1.0, Some(5000), 100.0),
            (10_000.0, 1.0, None, MAX_FRAME_MS),
            (-5.0, 1.0, None, 0.0),
            (f64::NAN, 1.0, None, 0.0),
            (10.0, 0.0, None, 0.0),
        ];
        for (real, speed, trip, want) in cases {
            let got = advance(real, speed, trip);
            assert!((got - want).abs() < 1e-9, "{real} ms at {speed}x, trip {trip:?}: {got} != {want}");
        }
    }

    #[test]
    fn one_hop_takes_the_same_real_time_whatever_its_latency() {
        for trip in [1, 2, 5] {
            let virtual_ms = advance(HOP_REAL_MS / 4.0, 1.0, Some(trip));
            assert!((virtual_ms - trip as f64 / 4.0).abs() < 1e-9, "a quarter hop of {trip} ms");
        }
    }

    #[test]
    fn clock_text() {
        let cases = [
            (0.0, "00:00.000"),
            (1234.9, "00:01.234"),
            (61_000.0, "01:01.000"),
            (3_723_004.0, "1:02:03.004"),
            (-1.0, "00:00.000"),
            (f64::NAN, "00:00.000"),
        ];
        for (t, want) in cases {
            assert_eq!(format_clock(t), want);
        }
        assert_eq!(Speed::Times(0.25).label(), "0.25×");
        assert_eq!(Speed::Times(100.0).label(), "100×");
        assert_eq!(Speed::Max.label(), "max");
    }
}
