//! Liquid expressions to tokens: paths, literals, comparison operators, filter punctuation.

use serde_json::Value;

use super::{CmpOp, LiquidError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Ident(String),
    Literal(Value),
    Dot,
    Open,
    Close,
    Pipe,
    Colon,
    Comma,
    Compare(CmpOp),
    And,
    Or,
}

pub(super) fn tokens(source: &str) -> Result<Vec<Token>, LiquidError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let after_dot = matches!(out.last(), Some(Token::Dot));
        let word = |i: usize| {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || "_-?".contains(chars[j])) {
                j += 1;
            }
            j
        };
        match c {
            c if c.is_whitespace() => i += 1,
            '.' | '[' | ']' | '|' | ':' | ',' => {
                out.push(match c {
                    '.' => Token::Dot,
                    '[' => Token::Open,
                    ']' => Token::Close,
                    '|' => Token::Pipe,
                    ':' => Token::Colon,
                    _ => Token::Comma,
                });
                i += 1;
            }
            '"' | '\'' => {
                let end = chars[i + 1..].iter().position(|&x| x == c).ok_or_else(|| {
                    LiquidError::new(format!("unterminated string in `{source}`"))
                })?;
                let text: String = chars[i + 1..i + 1 + end].iter().collect();
                out.push(Token::Literal(Value::String(text)));
                i += end + 2;
            }
            '=' | '!' | '<' | '>' => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let (op, len) = match two.as_str() {
                    "==" => (CmpOp::Eq, 2),
                    "!=" | "<>" => (CmpOp::Ne, 2),
                    "<=" => (CmpOp::Le, 2),
                    ">=" => (CmpOp::Ge, 2),
                    _ if c == '<' => (CmpOp::Lt, 1),
                    _ if c == '>' => (CmpOp::Gt, 1),
                    _ => return Err(LiquidError::new(format!("unexpected `{c}` in `{source}`"))),
                };
                out.push(Token::Compare(op));
                i += len;
            }
            c if !after_dot && (c.is_ascii_digit() || c == '-') => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let number = super::value::parse_number(&text)
                    .ok_or_else(|| LiquidError::new(format!("`{text}` is not a number")))?;
                out.push(Token::Literal(Value::Number(number)));
                i = j;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let j = word(i);
                let text: String = chars[i..j].iter().collect();
                out.push(match text.as_str() {
                    _ if after_dot => Token::Ident(text),
                    "and" => Token::And,
                    "or" => Token::Or,
                    "contains" => Token::Compare(CmpOp::Contains),
                    _ => Token::Ident(text),
                });
                i = j;
            }
            other => {
                return Err(LiquidError::new(format!(
                    "unexpected `{other}` in `{source}`"
                )))
            }
        }
    }
    Ok(out)
}
