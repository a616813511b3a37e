//! Liquid source to nodes: split into text, `{{ output }}` and `{% tag %}` segments, then build
//! the `if`/`unless` structure and parse each expression from its tokens.

use serde_json::Value;

use super::filters::Filter;
use super::lexer::{tokens, Token};
use super::{Condition, FilterCall, LiquidError, Node, Operand, Output, PathPart};

/// One piece of the source.
enum Segment {
    Text(String),
    Output(String),
    Tag(String),
}

/// Parses a whole template.
pub(super) fn parse(source: &str) -> Result<Vec<Node>, LiquidError> {
    let segments = split(source)?;
    let mut iter = segments.into_iter().peekable();
    let (nodes, end) = block(&mut iter)?;
    match end {
        None => Ok(nodes),
        Some(tag) => Err(LiquidError::new(format!(
            "`{{% {tag} %}}` without an opening tag"
        ))),
    }
}

/// Splits the source at `{{ }}` and `{% %}`, applying `-` whitespace control.
fn split(source: &str) -> Result<Vec<Segment>, LiquidError> {
    let mut segments = Vec::new();
    let mut rest = source;
    let mut strip_next = false;
    while let Some(start) = find_open(rest) {
        let mut text = rest[..start].to_string();
        if strip_next {
            text = text.trim_start().to_string();
        }
        let is_output = rest[start..].starts_with("{{");
        let mut inner_start = start + 2;
        if rest[inner_start..].starts_with('-') {
            text = text.trim_end().to_string();
            inner_start += 1;
        }
        if !text.is_empty() {
            segments.push(Segment::Text(text));
        }
        let close = if is_output { "}}" } else { "%}" };
        let Some(end) = find_close(&rest[inner_start..], close) else {
            let kind = if is_output { "{{" } else { "{%" };
            return Err(LiquidError::new(format!(
                "`{kind}` at character {} is never closed with `{close}`",
                source.len() - rest.len() + start + 1
            )));
        };
        let mut inner = &rest[inner_start..inner_start + end];
        strip_next = inner.ends_with('-');
        if strip_next {
            inner = &inner[..inner.len() - 1];
        }
        let inner = inner.trim().to_string();
        rest = &rest[inner_start + end + 2..];
        if is_output {
            segments.push(Segment::Output(inner));
        } else if inner == "raw" {
            // Everything up to `{% endraw %}` is text, tags and all.
            let Some(end) = rest.find("{% endraw %}") else {
                return Err(LiquidError::new("`{% raw %}` without `{% endraw %}`"));
            };
            segments.push(Segment::Text(rest[..end].to_string()));
            rest = &rest[end + "{% endraw %}".len()..];
        } else {
            segments.push(Segment::Tag(inner));
        }
    }
    let text = if strip_next { rest.trim_start() } else { rest };
    if !text.is_empty() {
        segments.push(Segment::Text(text.to_string()));
    }
    Ok(segments)
}

fn find_open(text: &str) -> Option<usize> {
    match (text.find("{{"), text.find("{%")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The closing delimiter outside quoted strings.
fn find_close(text: &str, close: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if text[i..].starts_with(close) => return Some(i),
            None => {}
        }
    }
    None
}

type Segments = std::iter::Peekable<std::vec::IntoIter<Segment>>;

/// Nodes until a tag that closes or continues an enclosing block, which is returned.
fn block(segments: &mut Segments) -> Result<(Vec<Node>, Option<String>), LiquidError> {
    let mut nodes = Vec::new();
    while let Some(segment) = segments.next() {
        match segment {
            Segment::Text(text) => nodes.push(Node::Text(text)),
            Segment::Output(source) => nodes.push(Node::Output(output(&source)?)),
            Segment::Tag(tag) => {
                let (name, rest) = tag.split_once(char::is_whitespace).unwrap_or((&tag, ""));
                match name {
                    "if" | "unless" => nodes.push(if_block(name, rest.trim(), segments)?),
                    "comment" => skip_comment(segments)?,
                    "elsif" | "else" | "endif" | "endunless" => return Ok((nodes, Some(tag))),
                    "" => return Err(LiquidError::new("empty tag `{% %}`")),
                    other => {
                        return Err(LiquidError::new(format!(
                            "unsupported tag `{other}` (the emulator knows if, elsif, else, \
                             unless, comment and raw)"
                        )))
                    }
                }
            }
        }
    }
    Ok((nodes, None))
}

fn if_block(kind: &str, condition: &str, segments: &mut Segments) -> Result<Node, LiquidError> {
    let end_tag = if kind == "if" { "endif" } else { "endunless" };
    let first = parse_condition(condition)?;
    let first = if kind == "unless" {
        Condition::Not(Box::new(first))
    } else {
        first
    };
    let mut branches = vec![];
    let mut pending = first;
    loop {
        let (body, end) = block(segments)?;
        let Some(end) = end else {
            return Err(LiquidError::new(format!(
                "`{{% {kind} %}}` without `{{% {end_tag} %}}`"
            )));
        };
        let (name, rest) = end.split_once(char::is_whitespace).unwrap_or((&end, ""));
        match name {
            "elsif" if kind == "if" => {
                branches.push((pending, body));
                pending = parse_condition(rest.trim())?;
            }
            "else" => {
                branches.push((pending, body));
                let (otherwise, end) = block(segments)?;
                return match end.as_deref() {
                    Some(e) if e == end_tag => Ok(Node::If {
                        branches,
                        otherwise,
                    }),
                    _ => Err(LiquidError::new(format!(
                        "`{{% else %}}` must end with `{{% {end_tag} %}}`"
                    ))),
                };
            }
            n if n == end_tag => {
                branches.push((pending, body));
                return Ok(Node::If {
                    branches,
                    otherwise: Vec::new(),
                });
            }
            other => {
                return Err(LiquidError::new(format!(
                    "`{{% {other} %}}` inside `{{% {kind} %}}`"
                )))
            }
        }
    }
}

fn skip_comment(segments: &mut Segments) -> Result<(), LiquidError> {
    for segment in segments.by_ref() {
        if matches!(&segment, Segment::Tag(t) if t == "endcomment") {
            return Ok(());
        }
    }
    Err(LiquidError::new(
        "`{% comment %}` without `{% endcomment %}`",
    ))
}

/// `operand | filter: a, b | filter`.
fn output(source: &str) -> Result<Output, LiquidError> {
    let tokens = tokens(source)?;
    let mut parts = tokens.split(|t| *t == Token::Pipe);
    let first = parts.next().unwrap_or(&[]);
    if first.is_empty() {
        return Err(LiquidError::new(format!(
            "`{{{{ {source} }}}}` has no value"
        )));
    }
    let value = operand(first, source)?;
    let mut filters = Vec::new();
    for part in parts {
        let Some((Token::Ident(name), rest)) = part.split_first() else {
            return Err(LiquidError::new(format!(
                "a filter name is missing in `{source}`"
            )));
        };
        let args = match rest {
            [] => Vec::new(),
            [Token::Colon, args @ ..] => args
                .split(|t| *t == Token::Comma)
                .map(|arg| operand(arg, source))
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(LiquidError::new(format!(
                    "expected `:` after filter `{name}` in `{source}`"
                )))
            }
        };
        let filter = Filter::named(name)
            .ok_or_else(|| LiquidError::new(format!("unknown filter `{name}`")))?;
        filter.check_args(args.len())?;
        if let (Filter::Date, Some(Operand::Literal(Value::String(format)))) =
            (filter, args.first())
        {
            if !super::filters::valid_date_format(format) {
                return Err(LiquidError::new(format!("`{format}` is not a date format")));
            }
        }
        filters.push(FilterCall { filter, args });
    }
    Ok(Output {
        operand: value,
        filters,
    })
}

/// One value: a literal or a variable path.
fn operand(tokens: &[Token], source: &str) -> Result<Operand, LiquidError> {
    match tokens {
        [Token::Literal(v)] => return Ok(Operand::Literal(v.clone())),
        [Token::Ident(word)] => match word.as_str() {
            "true" => return Ok(Operand::Literal(Value::Bool(true))),
            "false" => return Ok(Operand::Literal(Value::Bool(false))),
            "nil" | "null" => return Ok(Operand::Literal(Value::Null)),
            "empty" => return Ok(Operand::Empty),
            "blank" => return Ok(Operand::Blank),
            _ => {}
        },
        _ => {}
    }
    let bad = || LiquidError::new(format!("cannot read a value in `{source}`"));
    let mut parts = Vec::new();
    let mut i = 0;
    match tokens.first() {
        Some(Token::Ident(name)) => {
            parts.push(PathPart::Key(name.clone()));
            i = 1;
        }
        Some(Token::Open) => {}
        _ => return Err(bad()),
    }
    while i < tokens.len() {
        match (&tokens[i], tokens.get(i + 1)) {
            (Token::Dot, Some(Token::Ident(key))) => {
                parts.push(PathPart::Key(key.clone()));
                i += 2;
            }
            (Token::Open, _) => {
                let close = matching_close(&tokens[i..]).ok_or_else(bad)?;
                let inner = operand(&tokens[i + 1..i + close], source)?;
                parts.push(PathPart::Index(inner));
                i += close + 1;
            }
            _ => return Err(bad()),
        }
    }
    Ok(Operand::Path(parts))
}

fn matching_close(tokens: &[Token]) -> Option<usize> {
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close if depth == 1 => return Some(i),
            Token::Close => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `a == b and c or d`: Liquid groups from the right (`a and (b or c)`).
fn parse_condition(source: &str) -> Result<Condition, LiquidError> {
    let tokens = tokens(source)?;
    if tokens.is_empty() {
        return Err(LiquidError::new("a condition is missing"));
    }
    condition(&tokens, source)
}

fn condition(tokens: &[Token], source: &str) -> Result<Condition, LiquidError> {
    if let Some(at) = tokens
        .iter()
        .position(|t| matches!(t, Token::And | Token::Or))
    {
        let left = Box::new(comparison(&tokens[..at], source)?);
        let right = Box::new(condition(&tokens[at + 1..], source)?);
        return Ok(match tokens[at] {
            Token::And => Condition::And(left, right),
            _ => Condition::Or(left, right),
        });
    }
    comparison(tokens, source)
}

fn comparison(tokens: &[Token], source: &str) -> Result<Condition, LiquidError> {
    match tokens.iter().position(|t| matches!(t, Token::Compare(_))) {
        Some(at) => {
            let Token::Compare(op) = tokens[at] else {
                return Err(LiquidError::new(format!(
                    "cannot read the condition `{source}`"
                )));
            };
            Ok(Condition::Compare(
                operand(&tokens[..at], source)?,
                op,
                operand(&tokens[at + 1..], source)?,
            ))
        }
        None => Ok(Condition::Value(operand(tokens, source)?)),
    }
}
