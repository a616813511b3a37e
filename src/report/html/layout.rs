//! Where the coverage map draws each widget: Studio's own canvas positions, scaled down, when
//! the flow definition has them for every widget; otherwise a layered layout (a widget one row
//! below the first widget that leads to it, breadth first from the trigger).

use std::collections::{BTreeMap, VecDeque};

use crate::coverage::model::FlowCoverage;

/// A node's box width in the SVG.
pub const NODE_WIDTH: f64 = 170.0;
/// A node's box height in the SVG.
pub const NODE_HEIGHT: f64 = 46.0;
/// Space around the drawing (room for edge labels and loops).
const MARGIN: f64 = 40.0;
/// Studio's canvas units to SVG units: its widgets sit 400 apart across, 200 down, which
/// leaves room between the boxes for the edges' labels.
const SCALE_X: f64 = 0.6;
/// See [`SCALE_X`].
const SCALE_Y: f64 = 0.8;
/// The layered layout's column and row pitch.
const PITCH_X: f64 = 200.0;
/// See [`PITCH_X`].
const PITCH_Y: f64 = 100.0;

/// Every widget's box centre, in widget order, and the drawing's width and height.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Centre of each widget's box, in the order of `FlowCoverage::widgets`.
    pub centres: Vec<(f64, f64)>,
    /// The SVG's width.
    pub width: f64,
    /// The SVG's height.
    pub height: f64,
}

/// Lays out `flow`.
pub fn layout(flow: &FlowCoverage) -> Layout {
    let points: Option<Vec<(f64, f64)>> = flow
        .widgets
        .iter()
        .map(|w| w.position.map(|p| (p.x * SCALE_X, p.y * SCALE_Y)))
        .collect();
    let points = match points {
        Some(points) if !points.is_empty() => points,
        _ => layered(flow),
    };
    let min_x = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let min_y = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let (min_x, min_y) = if min_x.is_finite() {
        (min_x, min_y)
    } else {
        (0.0, 0.0)
    };
    let centres: Vec<(f64, f64)> = points
        .iter()
        .map(|(x, y)| {
            (
                x - min_x + MARGIN + NODE_WIDTH / 2.0,
                y - min_y + MARGIN + NODE_HEIGHT / 2.0,
            )
        })
        .collect();
    let width = centres.iter().map(|c| c.0).fold(0.0, f64::max) + NODE_WIDTH / 2.0 + MARGIN;
    let height = centres.iter().map(|c| c.1).fold(0.0, f64::max) + NODE_HEIGHT / 2.0 + MARGIN;
    Layout {
        centres,
        width: width.max(2.0 * MARGIN),
        height: height.max(2.0 * MARGIN),
    }
}

/// Rows by distance from the first widget (unreached widgets in a last row), columns in
/// definition order within a row.
fn layered(flow: &FlowCoverage) -> Vec<(f64, f64)> {
    let index = flow.widget_index();
    let mut depth: Vec<Option<usize>> = vec![None; flow.widgets.len()];
    let mut queue = VecDeque::new();
    if !flow.widgets.is_empty() {
        depth[0] = Some(0);
        queue.push_back(0);
    }
    while let Some(at) = queue.pop_front() {
        let name = flow.widgets[at].name.as_str();
        let next_depth = depth[at].unwrap_or(0) + 1;
        for transition in flow.transitions.iter().filter(|t| t.from == name) {
            if let Some(&to) = index.get(transition.to.as_str()) {
                if depth[to].is_none() {
                    depth[to] = Some(next_depth);
                    queue.push_back(to);
                }
            }
        }
    }
    let last = depth.iter().flatten().max().map_or(0, |d| d + 1);
    let mut per_row: BTreeMap<usize, usize> = BTreeMap::new();
    depth
        .iter()
        .map(|d| {
            let row = d.unwrap_or(last);
            let column = per_row.entry(row).or_default();
            let point = (*column as f64 * PITCH_X, row as f64 * PITCH_Y);
            *column += 1;
            point
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::model::{Position, TransitionCoverage, WidgetCoverage};

    fn flow(positions: &[Option<(f64, f64)>], edges: &[(&str, &str)]) -> FlowCoverage {
        FlowCoverage {
            name: "f".into(),
            sid: "FW1".into(),
            widgets: positions
                .iter()
                .enumerate()
                .map(|(i, p)| WidgetCoverage {
                    name: format!("w{i}"),
                    kind: "say-play".into(),
                    position: p.map(|(x, y)| Position { x, y }),
                    tests: Default::default(),
                })
                .collect(),
            transitions: edges
                .iter()
                .map(|(from, to)| TransitionCoverage {
                    from: from.to_string(),
                    event: "next".into(),
                    condition: None,
                    to: to.to_string(),
                    tests: Default::default(),
                })
                .collect(),
        }
    }

    #[test]
    fn studio_positions_are_scaled_and_shifted_into_view() {
        let layout = layout(&flow(&[Some((0.0, 0.0)), Some((-400.0, 200.0))], &[]));
        let (w, h) = (NODE_WIDTH / 2.0 + MARGIN, NODE_HEIGHT / 2.0 + MARGIN);
        assert_eq!(layout.centres, [(240.0 + w, h), (w, 160.0 + h)]);
        assert_eq!(layout.width, 240.0 + 2.0 * w);
    }

    #[test]
    fn without_positions_rows_follow_the_transitions() {
        let layout = layout(&flow(
            &[None, None, None, Some((5.0, 5.0))],
            &[("w0", "w2"), ("w2", "w1")],
        ));
        let rows: Vec<f64> = layout.centres.iter().map(|c| c.1).collect();
        assert_eq!(rows[0], rows[0].min(rows[2]));
        assert!(rows[2] > rows[0] && rows[1] > rows[2], "{rows:?}");
        assert!(rows[3] > rows[1], "unreached widgets come last: {rows:?}");
    }
}
