//! Points, rectangles and polylines in diagram units (one unit is one CSS pixel at scale 1).

/// A point in diagram units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    fn distance(self, other: Point) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }
}

/// An axis-aligned rectangle: every box of the diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub const fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Self { x, y, w, h }
    }

    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }

    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }

    /// Whether `other` lies entirely inside this rectangle (layout tests use it).
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x - 1e-6
            && other.y >= self.y - 1e-6
            && other.right() <= self.right() + 1e-6
            && other.bottom() <= self.bottom() + 1e-6
    }

    /// Whether the two rectangles share any area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right() - 1e-6
            && other.x < self.right() - 1e-6
            && self.y < other.bottom() - 1e-6
            && other.y < self.bottom() - 1e-6
    }
}

/// The point at `progress` (0 = first point, 1 = last) along a polyline, by length.
///
/// Messages travel along their link at constant speed, so the dot's position is a fraction of the
/// path's length, not of its number of segments.
pub fn point_along(path: &[Point], progress: f64) -> Option<Point> {
    let first = *path.first()?;
    let total: f64 = path.windows(2).map(|w| w[0].distance(w[1])).sum();
    if total <= 0.0 || !progress.is_finite() {
        return Some(first);
    }
    let mut left = progress.clamp(0.0, 1.0) * total;
    for w in path.windows(2) {
        let len = w[0].distance(w[1]);
        if left <= len && len > 0.0 {
            let f = left / len;
            return Some(Point::new(w[0].x + (w[1].x - w[0].x) * f, w[0].y + (w[1].y - w[0].y) * f));
        }
        left -= len;
    }
    path.last().copied()
}

/// An orthogonal route: down from `from`, across at `mid_y`, down (or up) to `to`.
pub fn elbow(from: Point, mid_y: f64, to: Point) -> Vec<Point> {
    let mut path = vec![from, Point::new(from.x, mid_y), Point::new(to.x, mid_y), to];
    path.dedup_by(|b, a| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
    path
}

/// SVG `points` attribute text for a polyline, rounded to a tenth of a unit to keep the DOM small.
pub fn svg_points(path: &[Point]) -> String {
    path.iter().map(|p| format!("{:.1},{:.1}", p.x, p.y)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_along_walks_by_length_not_by_segment() {
        // 30 units right, then 10 down: the middle (20 of 40) is on the first segment.
        let path = [Point::new(0.0, 0.0), Point::new(30.0, 0.0), Point::new(30.0, 10.0)];
        let cases = [
            (0.0, Point::new(0.0, 0.0)),
            (0.5, Point::new(20.0, 0.0)),
            (0.875, Point::new(30.0, 5.0)),
            (1.0, Point::new(30.0, 10.0)),
            (-3.0, Point::new(0.0, 0.0)),
            (7.0, Point::new(30.0, 10.0)),
        ];
        for (progress, want) in cases {
            let got = point_along(&path, progress).expect("a non-empty path has points");
            assert!((got.x - want.x).abs() < 1e-9 && (got.y - want.y).abs() < 1e-9, "{progress}: {got:?} != {want:?}");
        }
    }

    #[test]
    fn point_along_handles_degenerate_paths() {
        assert_eq!(point_along(&[], 0.5), None);
        let one = [Point::new(3.0, 4.0)];
        assert_eq!(point_along(&one, 0.5), Some(one[0]));
        let still = [Point::new(1.0, 1.0), Point::new(1.0, 1.0)];
        assert_eq!(point_along(&still, f64::NAN), Some(still[0]));
    }

    #[test]
    fn elbow_drops_repeated_corners() {
        let straight = elbow(Point::new(5.0, 0.0), 10.0, Point::new(5.0, 20.0));
        assert_eq!(straight, vec![Point::new(5.0, 0.0), Point::new(5.0, 10.0), Point::new(5.0, 20.0)]);
        let bent = elbow(Point::new(0.0, 0.0), 10.0, Point::new(8.0, 20.0));
        assert_eq!(bent.len(), 4);
    }

    #[test]
    fn rect_relations() {
        let outer = Rect::new(0.0, 0.0, 100.0, 50.0);
        assert!(outer.contains(&Rect::new(10.0, 10.0, 20.0, 20.0)));
        assert!(!outer.contains(&Rect::new(90.0, 10.0, 20.0, 20.0)));
        assert!(outer.overlaps(&Rect::new(90.0, 10.0, 20.0, 20.0)));
        assert!(!outer.overlaps(&Rect::new(100.0, 0.0, 20.0, 20.0)), "touching edges do not overlap");
        assert_eq!(svg_points(&[Point::new(1.0, 2.26), Point::new(3.0, 4.0)]), "1.0,2.3 3.0,4.0");
    }
}
