//! The coverage section: each Studio flow as an SVG graph (widgets as boxes, transitions as
//! arrows labelled with their event), exercised parts in green with solid lines, never
//! exercised parts in red with dashed lines and the word "never" (so that colour is never the
//! only signal); a node is a button that shows which test cases ran it and took its
//! transitions. Below each graph the same facts as tables, for readers without JS or sight of
//! the drawing. TwiML applications are a table of webhook URLs and `<Gather>` outcomes.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::layout::{layout, Layout, NODE_HEIGHT, NODE_WIDTH};
use super::markup::{escape, test_names};
use crate::coverage::model::{ApplicationCoverage, FlowCoverage, TransitionCoverage};
use crate::coverage::Coverage;

/// Longest widget name drawn in full inside a box; longer ones end with `…` (the full name is
/// in the node's accessible name and tooltip).
const LABEL_CHARS: usize = 22;
/// Where along an edge (0 at its start, 1 at its end) its label goes, by the transition's
/// index: edges fanning out of one row (a split's conditions) then keep their labels apart.
const LABEL_AT: [f64; 3] = [0.3, 0.5, 0.7];

/// The whole coverage section, or nothing when coverage was not measured.
pub fn section(coverage: Option<&Coverage>) -> String {
    let Some(coverage) = coverage else {
        return String::new();
    };
    let mut out = String::from(
        "<section id=\"coverage\" aria-labelledby=\"coverage-h\"><h2 id=\"coverage-h\">\
         Coverage</h2>",
    );
    if let Some(percent) = coverage.percent() {
        let _ = write!(
            out,
            "<p class=\"coverage-total\">{percent:.1}% of transitions taken, over all flows.</p>"
        );
    }
    if coverage.flows.is_empty() && coverage.applications.is_empty() {
        out.push_str("<p class=\"quiet\">No Studio flow or TwiML application was measured.</p>");
    }
    for (i, flow) in coverage.flows.iter().enumerate() {
        out.push_str(&flow_block(i, flow));
    }
    for application in &coverage.applications {
        out.push_str(&application_block(application));
    }
    out.push_str("</section>\n");
    out
}

/// A flow's heading, counts, legend, graph, node details and tables.
fn flow_block(flow_index: usize, flow: &FlowCoverage) -> String {
    let mut out = format!(
        "<div class=\"flow\" id=\"flow-{flow_index}\"><h3>Flow {} <span class=\"quiet\">({})</span>\
         </h3><p class=\"flow-counts\">{} of {} widgets, {} of {} transitions</p>",
        escape(&flow.name),
        escape(&flow.sid),
        flow.widgets_covered(),
        flow.widgets.len(),
        flow.transitions_covered(),
        flow.transitions.len(),
    );
    out.push_str(
        "<p class=\"legend\"><span class=\"key covered\">exercised</span> \
         <span class=\"key never\">never exercised (dashed)</span> \
         Select a widget to see the test cases that ran it.</p>",
    );
    out.push_str(&graph(flow_index, flow));
    let _ = write!(
        out,
        "<div class=\"node-details\" id=\"flow-{flow_index}-details\" aria-live=\"polite\">\
         <p class=\"node-detail\" id=\"flow-{flow_index}-none\">No widget selected.</p>"
    );
    for (i, widget) in flow.widgets.iter().enumerate() {
        let _ = write!(
            out,
            "<div class=\"node-detail\" id=\"flow-{flow_index}-node-{i}\" hidden><h4>{name} \
             <span class=\"quiet\">({kind})</span></h4><p>Ran by: {tests}</p>",
            name = escape(&widget.name),
            kind = escape(&widget.kind),
            tests = test_names(&widget.tests),
        );
        let leaving: Vec<&TransitionCoverage> = flow
            .transitions
            .iter()
            .filter(|t| t.from == widget.name)
            .collect();
        if !leaving.is_empty() {
            out.push_str("<ul>");
            for transition in leaving {
                let _ = write!(
                    out,
                    "<li>{} to {}: {}</li>",
                    escape(&event_label(transition)),
                    escape(&transition.to),
                    test_names(&transition.tests)
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    out.push_str(&flow_tables(flow));
    out.push_str("</div>");
    out
}

/// `keypress`, or `match "billing"` for a split's condition.
fn event_label(transition: &TransitionCoverage) -> String {
    match &transition.condition {
        Some(condition) => format!("{} \"{condition}\"", transition.event),
        None => transition.event.clone(),
    }
}

/// `name` cut to [`LABEL_CHARS`] characters.
fn short(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        name.to_string()
    } else {
        let cut: String = name.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// The SVG drawing, in a box that scrolls on its own.
fn graph(flow_index: usize, flow: &FlowCoverage) -> String {
    let placed = layout(flow);
    let index = flow.widget_index();
    let mut out = format!(
        "<div class=\"scroll graph\" tabindex=\"-1\"><svg xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" role=\"group\" \
         aria-label=\"Flow {name}: widgets and transitions\"><defs>",
        w = placed.width,
        h = placed.height,
        name = escape(&flow.name),
    );
    for kind in ["covered", "never"] {
        let _ = write!(
            out,
            "<marker id=\"arrow-{flow_index}-{kind}\" class=\"arrow {kind}\" viewBox=\"0 0 10 10\" \
             refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
             <path d=\"M0,0 L10,5 L0,10 z\"/></marker>"
        );
    }
    out.push_str("</defs><g class=\"edges\">");
    // Edges between the same two widgets (either way) are bent apart so that each stays visible.
    let mut seen_pairs: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (number, transition) in flow.transitions.iter().enumerate() {
        let (Some(&from), Some(&to)) = (
            index.get(transition.from.as_str()),
            index.get(transition.to.as_str()),
        ) else {
            continue;
        };
        let nth = seen_pairs.entry((from.min(to), from.max(to))).or_default();
        let route = Route {
            from,
            to,
            nth: *nth,
            number,
        };
        out.push_str(&edge(flow_index, &placed, route, transition));
        *nth += 1;
    }
    out.push_str("</g><g class=\"nodes\">");
    for (i, widget) in flow.widgets.iter().enumerate() {
        let (cx, cy) = placed.centres[i];
        let covered = !widget.tests.is_empty();
        let class = if covered { "covered" } else { "never" };
        let state = if covered {
            format!("ran by {} test cases", widget.tests.len())
        } else {
            "never run".into()
        };
        let _ = write!(
            out,
            "<g class=\"node {class}\" tabindex=\"0\" role=\"button\" aria-pressed=\"false\" \
             data-flow=\"{flow_index}\" data-node=\"{i}\" aria-label=\"{label}\">\
             <title>{label}</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_WIDTH}\" height=\"{NODE_HEIGHT}\" rx=\"6\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" class=\"node-name\">{name}</text>\
             <text x=\"{cx:.1}\" y=\"{sy:.1}\" class=\"node-state\">{sub}</text></g>",
            label = escape(&format!("{} ({}): {state}", widget.name, widget.kind)),
            x = cx - NODE_WIDTH / 2.0,
            y = cy - NODE_HEIGHT / 2.0,
            ty = cy - 4.0,
            sy = cy + 13.0,
            name = escape(&short(&widget.name)),
            sub = if covered {
                escape(&short(&widget.kind))
            } else {
                "never run".into()
            },
        );
    }
    out.push_str("</g></svg></div>");
    out
}

/// Where an edge goes: its widgets' indexes, how many edges between the same two widgets came
/// before it, and its transition's index in the flow.
#[derive(Clone, Copy)]
struct Route {
    from: usize,
    to: usize,
    nth: usize,
    number: usize,
}

/// One transition's arrow and label: clipped to the boxes' borders, bent when it is not the
/// first between the same two widgets, a loop beside the box when it returns to its widget.
fn edge(
    flow_index: usize,
    placed: &Layout,
    route: Route,
    transition: &TransitionCoverage,
) -> String {
    let Route {
        from,
        to,
        nth,
        number,
    } = route;
    let covered = !transition.tests.is_empty();
    let class = if covered { "covered" } else { "never" };
    let label = if covered {
        event_label(transition)
    } else {
        format!("never: {}", event_label(transition))
    };
    let (x1, y1) = placed.centres[from];
    let (x2, y2) = placed.centres[to];
    // 0, then 28 px to one side, 28 to the other, 56 to the first...
    let side = if nth % 2 == 1 { 1.0 } else { -1.0 };
    let bend = nth.div_ceil(2) as f64 * 28.0 * side;
    let (path, lx, ly) = if from == to {
        let (x, y) = (x1 + NODE_WIDTH / 2.0, y1);
        let reach = 30.0 + bend.abs();
        (
            format!(
                "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                x,
                y - 10.0,
                x + reach,
                y - 30.0,
                x + reach,
                y + 30.0,
                x,
                y + 10.0
            ),
            x + reach,
            y,
        )
    } else {
        let (dx, dy) = (x2 - x1, y2 - y1);
        let clip = |dx: f64, dy: f64| {
            let tx = if dx == 0.0 {
                f64::INFINITY
            } else {
                (NODE_WIDTH / 2.0) / dx.abs()
            };
            let ty = if dy == 0.0 {
                f64::INFINITY
            } else {
                (NODE_HEIGHT / 2.0) / dy.abs()
            };
            tx.min(ty).min(0.5)
        };
        let t = clip(dx, dy);
        let (sx, sy) = (x1 + dx * t, y1 + dy * t);
        let (ex, ey) = (x2 - dx * t, y2 - dy * t);
        let length = dx.hypot(dy).max(1.0);
        let (nx, ny) = (-dy / length, dx / length);
        let (mx, my) = ((sx + ex) / 2.0 + nx * bend, (sy + ey) / 2.0 + ny * bend);
        let t = LABEL_AT[number % LABEL_AT.len()];
        let along = |s: f64, m: f64, e: f64| {
            (1.0 - t) * (1.0 - t) * s + 2.0 * (1.0 - t) * t * m + t * t * e
        };
        (
            format!("M{sx:.1},{sy:.1} Q{mx:.1},{my:.1} {ex:.1},{ey:.1}"),
            along(sx, mx, ex),
            along(sy, my, ey),
        )
    };
    format!(
        "<g class=\"edge {class}\"><title>{title}</title><path d=\"{path}\" \
         marker-end=\"url(#arrow-{flow_index}-{class})\"/><text x=\"{lx:.1}\" y=\"{ly:.1}\">\
         {label}</text></g>",
        title = escape(&format!(
            "{} {} to {}",
            transition.from,
            event_label(transition),
            transition.to
        )),
        label = escape(&label),
    )
}

/// Every widget and transition with its test cases, as tables (collapsed by default).
fn flow_tables(flow: &FlowCoverage) -> String {
    let mut out = String::from(
        "<details class=\"flow-tables\"><summary>Widgets and transitions as tables</summary>\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Widgets\"><table>\
         <caption>Widgets</caption><thead><tr><th scope=\"col\">Widget</th><th scope=\"col\">\
         Type</th><th scope=\"col\">Test cases</th></tr></thead><tbody>",
    );
    for widget in &flow.widgets {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&widget.name),
            escape(&widget.kind),
            test_names(&widget.tests)
        );
    }
    out.push_str(
        "</tbody></table></div><div class=\"scroll\" tabindex=\"0\" role=\"region\" \
         aria-label=\"Transitions\"><table><caption>Transitions</caption><thead><tr>\
         <th scope=\"col\">From</th><th scope=\"col\">Event</th><th scope=\"col\">To</th>\
         <th scope=\"col\">Test cases</th></tr></thead><tbody>",
    );
    for transition in &flow.transitions {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&transition.from),
            escape(&event_label(transition)),
            escape(&transition.to),
            test_names(&transition.tests)
        );
    }
    out.push_str("</tbody></table></div></details>");
    out
}

/// A TwiML application's webhooks with their test cases and gather outcomes.
fn application_block(application: &ApplicationCoverage) -> String {
    let mut out = format!(
        "<div class=\"application\"><h3>TwiML application at {}</h3>\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Webhooks of {}\">\
         <table><thead><tr><th scope=\"col\">Method</th><th scope=\"col\">URL</th>\
         <th scope=\"col\">Test cases</th><th scope=\"col\">Gather outcomes</th></tr></thead>\
         <tbody>",
        escape(&application.number),
        escape(&application.number),
    );
    for webhook in &application.webhooks {
        let mut gathers = String::new();
        for gather in &webhook.gathers {
            let _ = write!(
                gathers,
                "<li>{}{}: {}</li>",
                escape(&gather.outcome),
                gather
                    .value
                    .as_deref()
                    .map(|v| format!(" \"{}\"", escape(v)))
                    .unwrap_or_default(),
                test_names(&gather.tests)
            );
        }
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"url\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&webhook.method),
            escape(&webhook.url),
            test_names(&webhook.tests),
            if gathers.is_empty() {
                String::new()
            } else {
                format!("<ul>{gathers}</ul>")
            }
        );
    }
    out.push_str("</tbody></table></div></div>");
    out
}
