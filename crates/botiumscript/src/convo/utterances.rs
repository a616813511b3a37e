//! `.utterances.txt` files: a name on the first line, one sample per further line.
//!
//! Samples keep their spaces (only trailing `\n\t\r` go, as Botium's `trimExceptSpaceEnd`); empty
//! lines are dropped; lists with the same name in several files merge without duplicates.

use std::collections::BTreeMap;

use super::ast::Utterance;
use super::diagnostics::{Diagnostic, Severity};
use super::source::{js_trim, SourceFile};

/// Parses an utterances file.
pub fn parse_utterances(source: &SourceFile, eol: Option<&str>) -> Result<Utterance, Diagnostic> {
    let lines = source.lines(eol);
    let name = js_trim(lines[0].text).to_string();
    if name.is_empty() {
        return Err(Diagnostic::at(
            Severity::Error,
            source,
            0,
            lines[0].text.len(),
            "utterance list has no name: the first line must name it (for example UTT_GREETING)",
        ));
    }
    let samples = lines[1..]
        .iter()
        .map(|l| l.text.trim_end_matches(['\n', '\t', '\r']))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(Utterance {
        name,
        samples,
        file: source.path.clone(),
    })
}

/// All utterance lists of a suite, merged by name.
#[derive(Debug, Clone, Default)]
pub struct UtteranceBook {
    lists: BTreeMap<String, Utterance>,
}

impl UtteranceBook {
    /// Adds a list, merging samples into an existing list of the same name.
    pub fn add(&mut self, utterance: Utterance) {
        match self.lists.get_mut(&utterance.name) {
            Some(existing) => {
                for sample in utterance.samples {
                    if !existing.samples.contains(&sample) {
                        existing.samples.push(sample);
                    }
                }
            }
            None => {
                self.lists.insert(utterance.name.clone(), utterance);
            }
        }
    }

    /// The samples of a list.
    pub fn get(&self, name: &str) -> Option<&Utterance> {
        self.lists.get(name)
    }

    /// Botium's lookup for step text: the whole text as a name, else its first word with the
    /// remaining words as `util.format` arguments.
    pub fn resolve<'a>(&'a self, text: &'a str) -> Option<(&'a Utterance, Vec<&'a str>)> {
        if let Some(u) = self.lists.get(text) {
            return Some((u, Vec::new()));
        }
        let mut parts = text.split(' ');
        let first = parts.next()?;
        self.lists.get(first).map(|u| (u, parts.collect()))
    }

    /// Every list, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Utterance> {
        self.lists.values()
    }

    /// How many lists there are.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

/// Node's `util.format(sample, ...args)` for string arguments: `%s %d %i %f %j %o %O %c %%`,
/// surplus arguments appended with spaces.
pub fn format_sample(sample: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = args.iter();
    let mut chars = sample.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(&spec) = chars.peek() else {
            out.push('%');
            break;
        };
        match spec {
            '%' => {
                chars.next();
                out.push('%');
            }
            's' | 'd' | 'i' | 'f' | 'j' | 'o' | 'O' | 'c' => match rest.next() {
                Some(arg) => {
                    chars.next();
                    out.push_str(&format_arg(spec, arg));
                }
                None => out.push('%'),
            },
            _ => out.push('%'),
        }
    }
    for arg in rest {
        out.push(' ');
        out.push_str(arg);
    }
    out
}

fn format_arg(spec: char, arg: &str) -> String {
    let number = || js_trim(arg).parse::<f64>().ok();
    match spec {
        's' => arg.to_string(),
        'd' => number().map_or("NaN".into(), format_js_number),
        'i' => number().map_or("NaN".into(), |n| format_js_number(n.trunc())),
        'f' => number().map_or("NaN".into(), format_js_number),
        'j' => serde_json::Value::String(arg.to_string()).to_string(),
        'o' | 'O' => format!("'{arg}'"),
        _ => String::new(), // %c takes a CSS argument and prints nothing
    }
}

fn format_js_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_samples_and_dropped_empty_lines() {
        let src = SourceFile::from_text(
            "h.utterances.txt",
            " HELLO \r\nhi\r\n\r\nhello  \r\nnice day\n",
        );
        let u = parse_utterances(&src, None).unwrap();
        assert_eq!(u.name, "HELLO");
        assert_eq!(u.samples, ["hi", "hello  ", "nice day"]);
    }

    #[test]
    fn nameless_list_is_an_error() {
        let src = SourceFile::from_text("x.utterances.txt", "\nhi");
        assert!(parse_utterances(&src, None).is_err());
    }

    #[test]
    fn lists_merge_without_duplicates() {
        let mut book = UtteranceBook::default();
        let src = |t| SourceFile::from_text("a.utterances.txt", t);
        book.add(parse_utterances(&src("U\na\nb"), None).unwrap());
        book.add(parse_utterances(&src("U\nb\nc"), None).unwrap());
        assert_eq!(book.get("U").unwrap().samples, ["a", "b", "c"]);
    }

    #[test]
    fn resolve_by_whole_text_then_first_word() {
        let mut book = UtteranceBook::default();
        book.add(parse_utterances(&SourceFile::from_text("a", "UTT_HELLO\nhi, %s"), None).unwrap());
        assert_eq!(book.resolve("UTT_HELLO").unwrap().1, Vec::<&str>::new());
        assert_eq!(book.resolve("UTT_HELLO bot").unwrap().1, ["bot"]);
        assert!(book.resolve("hello").is_none());
    }

    #[test]
    fn util_format_as_node_does() {
        // Verified in the reference: samples `hi, %s` / `nice day` with arg `bot`.
        assert_eq!(format_sample("hi, %s", &["bot"]), "hi, bot");
        assert_eq!(format_sample("nice day", &["bot"]), "nice day bot");
        assert_eq!(format_sample("%d%% of %s", &["5", "x", "y"]), "5% of x y");
        assert_eq!(format_sample("%s and %s", &["a"]), "a and %s");
        assert_eq!(format_sample("%j", &["a"]), "\"a\"");
    }
}
