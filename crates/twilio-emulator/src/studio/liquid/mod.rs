//! The Liquid templates of Studio widget properties: `Hello {{trigger.call.From}}`,
//! `{{widgets.menu.Digits | default: "0"}}`, `{% if flow.variables.vip %}...{% endif %}`.
//!
//! Templates are parsed when the flow is loaded, so a syntax error (an unclosed `{{`, an
//! unknown filter or tag, a filter with the wrong number of arguments) is a configuration
//! error, not a surprise in the middle of a call. Rendering never fails: an unknown variable
//! is `nil` and prints as nothing, as Liquid does.
//!
//! | supported | |
//! |---|---|
//! | output | `{{ path | filter: arg, arg }}`; paths `a.b`, `a[0]`, `a["b"]`, `a[var]`, `.size`, `.first`, `.last` |
//! | literals | `'text'`, `"text"`, numbers, `true`, `false`, `nil`, `empty`, `blank` |
//! | tags | `if` / `elsif` / `else` / `endif`, `unless` / `endunless`, `comment`, `raw` |
//! | conditions | `==`, `!=`, `<>`, `<`, `>`, `<=`, `>=`, `contains`, `and`, `or` (right to left, as Liquid) |
//! | whitespace | `{{-`, `-}}`, `{%-`, `-%}` strip the whitespace next to them |
//! | filters | see `filters.rs` |

mod date;
mod filters;
mod lexer;
mod parse;
pub mod value;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use filters::Filter;

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
}

/// Why a template cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Liquid syntax error: {0}")]
pub struct LiquidError(pub String);

impl LiquidError {
    /// An error saying `message`.
    pub(super) fn new(message: impl Into<String>) -> LiquidError {
        LiquidError(message.into())
    }
}

/// What rendering needs besides the variables: the emulated clock, for `"now" | date`.
#[derive(Debug, Clone, Copy)]
pub struct RenderEnv {
    /// The emulator's current time.
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Output(Output),
    If {
        branches: Vec<(Condition, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Output {
    operand: Operand,
    filters: Vec<FilterCall>,
}

#[derive(Debug, Clone, PartialEq)]
struct FilterCall {
    filter: Filter,
    args: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Literal(Value),
    Path(Vec<PathPart>),
    /// `empty`: equal to any empty string, array or object.
    Empty,
    /// `blank`: equal to `nil`, `false`, whitespace, or any empty collection.
    Blank,
}

#[derive(Debug, Clone, PartialEq)]
enum PathPart {
    Key(String),
    Index(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Contains,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Or(Box<Condition>, Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare(Operand, CmpOp, Operand),
    Value(Operand),
}

impl Template {
    /// Parses `source`.
    pub fn parse(source: &str) -> Result<Template, LiquidError> {
        Ok(Template {
            nodes: parse::parse(source)?,
        })
    }

    /// A template that is only this text.
    pub fn text(text: impl Into<String>) -> Template {
        Template {
            nodes: vec![Node::Text(text.into())],
        }
    }

    /// The text, when the template has no tag or output (what it renders to, always).
    pub fn constant(&self) -> Option<String> {
        let mut text = String::new();
        for node in &self.nodes {
            match node {
                Node::Text(t) => text.push_str(t),
                _ => return None,
            }
        }
        Some(text)
    }

    /// Renders with `context` as the variables (`trigger`, `widgets`, `flow`, ...).
    pub fn render(&self, context: &Value, env: &RenderEnv) -> String {
        let mut out = String::new();
        render_nodes(&self.nodes, context, env, &mut out);
        out
    }
}

fn render_nodes(nodes: &[Node], context: &Value, env: &RenderEnv, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Output(output) => {
                let mut value = evaluate(&output.operand, context);
                for call in &output.filters {
                    let args: Vec<Value> = call.args.iter().map(|a| evaluate(a, context)).collect();
                    value = call.filter.apply(&value, &args, env);
                }
                out.push_str(&value::to_text(&value));
            }
            Node::If {
                branches,
                otherwise,
            } => {
                let taken = branches
                    .iter()
                    .find(|(condition, _)| holds(condition, context))
                    .map_or(otherwise, |(_, body)| body);
                render_nodes(taken, context, env, out);
            }
        }
    }
}

fn holds(condition: &Condition, context: &Value) -> bool {
    match condition {
        Condition::Or(a, b) => holds(a, context) || holds(b, context),
        Condition::And(a, b) => holds(a, context) && holds(b, context),
        Condition::Not(c) => !holds(c, context),
        Condition::Value(operand) => match operand {
            Operand::Empty | Operand::Blank => false,
            other => value::truthy(&evaluate(other, context)),
        },
        Condition::Compare(left, op, right) => compare(left, *op, right, context),
    }
}

fn compare(left: &Operand, op: CmpOp, right: &Operand, context: &Value) -> bool {
    // `x == empty` and `x == blank` are tests on x, in either order.
    let special = |operand: &Operand, other: &Operand| match operand {
        Operand::Empty => Some(value::is_empty(&evaluate(other, context))),
        Operand::Blank => Some(value::is_blank(&evaluate(other, context))),
        _ => None,
    };
    if let Some(is) = special(right, left).or_else(|| special(left, right)) {
        return match op {
            CmpOp::Eq => is,
            CmpOp::Ne => !is,
            _ => false,
        };
    }
    let (a, b) = (evaluate(left, context), evaluate(right, context));
    use std::cmp::Ordering::{Greater, Less};
    match op {
        CmpOp::Eq => value::equal(&a, &b),
        CmpOp::Ne => !value::equal(&a, &b),
        CmpOp::Contains => value::contains(&a, &b),
        CmpOp::Lt => value::compare(&a, &b) == Some(Less),
        CmpOp::Gt => value::compare(&a, &b) == Some(Greater),
        CmpOp::Le => matches!(value::compare(&a, &b), Some(o) if o != Greater),
        CmpOp::Ge => matches!(value::compare(&a, &b), Some(o) if o != Less),
    }
}

fn evaluate(operand: &Operand, context: &Value) -> Value {
    match operand {
        Operand::Literal(v) => v.clone(),
        Operand::Empty => Value::String(String::new()),
        Operand::Blank => Value::Null,
        Operand::Path(parts) => {
            let mut current = context;
            let mut owned;
            for part in parts {
                let next = match part {
                    PathPart::Key(key) => lookup(current, key),
                    PathPart::Index(index) => match evaluate(index, context) {
                        Value::Number(n) => n.as_i64().and_then(|i| item(current, i)),
                        other => lookup(current, &value::to_text(&other)),
                    },
                };
                match next {
                    Some(v) => {
                        owned = v;
                        current = &owned;
                    }
                    None => return Value::Null,
                }
            }
            current.clone()
        }
    }
}

/// `value.key`, including Liquid's `size`, `first` and `last` on arrays and text.
fn lookup(value: &Value, key: &str) -> Option<Value> {
    match (value, key) {
        (Value::Object(map), key) => map.get(key).cloned().or_else(|| match key {
            "size" => Some(Value::from(map.len())),
            _ => None,
        }),
        (Value::Array(items), "size") => Some(Value::from(items.len())),
        (Value::Array(items), "first") => items.first().cloned(),
        (Value::Array(items), "last") => items.last().cloned(),
        (Value::String(s), "size") => Some(Value::from(s.chars().count())),
        _ => None,
    }
}

/// `value[index]`; a negative index counts from the end.
fn item(value: &Value, index: i64) -> Option<Value> {
    let Value::Array(items) = value else {
        return None;
    };
    let len = i64::try_from(items.len()).ok()?;
    let at = if index < 0 { len + index } else { index };
    usize::try_from(at).ok().and_then(|i| items.get(i)).cloned()
}

#[cfg(test)]
mod tests;
