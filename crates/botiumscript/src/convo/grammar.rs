//! The line grammar of BotiumScript, written with nom (with plain string tests first where they
//! settle a line, since every line of every file passes here).
//!
//! A file is split into lines first (see [`super::source`]); every rule here works on one line:
//!
//! ```text
//! tag_line  = "#" sender [ " " channel ]      sender = me | bot | begin | end | include (exact, column 1)
//! body_line = [ "?" ] [ "!" ] name [ " " args ]
//! args      = arg { "|" arg }                 "\|" is a literal pipe; every arg is trimmed
//! ```
//!
//! Whether `name` is a hook, an asserter, a user input or plain text depends on the registry and
//! the section; that decision lives in [`super::step`].

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till};
use nom::character::complete::{char, none_of};
use nom::combinator::{opt, peek, value};
use nom::multi::{many0, separated_list1};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::ast::Sender;
use super::source::js_trim;

/// A recognised section header: its sender and the channel (or partial name) after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLine {
    /// The section's sender.
    pub sender: Sender,
    /// Text after the first space, trimmed; `None` when absent.
    pub channel: Option<String>,
}

/// Recognises a section header. It must start in column 1 with `#`, and the text after `#` up to
/// the first ASCII space (or the end) must be exactly a sender keyword: `#BOT`, `# bot`, `#meow`
/// and `#me<TAB>x` are text.
pub fn tag_line(line: &str) -> Option<TagLine> {
    // Most lines are not headers: decided without the parser.
    if !line.starts_with('#') {
        return None;
    }
    let parsed: IResult<&str, &str> =
        preceded(char('#'), take_till(|c: char| c == ' ')).parse(line);
    let (_, word) = parsed.ok()?;
    let sender = Sender::from_keyword(word)?;
    // Botium trims the text after '#' and cuts the channel at the first space.
    let after_hash = js_trim(&line[1..]);
    let channel = after_hash
        .find(' ')
        .map(|i| js_trim(&after_hash[i + 1..]).to_string());
    Some(TagLine { sender, channel })
}

/// The `?` / `!` prefixes of a body line and what follows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefixed<'a> {
    /// `?` (but not `??`) was present.
    pub optional: bool,
    /// `!` (but not `!!`) was present.
    pub not: bool,
    /// The line after the (at most one each) removed prefix characters.
    pub rest: &'a str,
}

/// Strips one `?` then one `!`. A doubled prefix is an escape: `??x` is the text `?x`.
pub fn prefixes(line: &str) -> Prefixed<'_> {
    // Most lines have no prefix: decided without the parser.
    if !line.starts_with(['?', '!']) {
        return Prefixed {
            optional: false,
            not: false,
            rest: line,
        };
    }
    fn flag(mark: char, input: &str) -> (bool, &str) {
        let doubled: IResult<&str, Option<char>> =
            peek(opt(preceded(char(mark), char(mark)))).parse(input);
        let escaped = matches!(doubled, Ok((_, Some(_))));
        let single: IResult<&str, Option<char>> = opt(char(mark)).parse(input);
        match single {
            Ok((after, Some(_))) => (!escaped, after),
            _ => (false, input),
        }
    }
    let (optional, after_q) = flag('?', line);
    let (not, rest) = flag('!', after_q);
    Prefixed {
        optional,
        not,
        rest,
    }
}

/// A body line split into its first word and the argument text after the first space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedLine<'a> {
    /// Everything up to the first ASCII space (a tab does not split).
    pub name: &'a str,
    /// Everything after that space, when there is one.
    pub args: Option<&'a str>,
}

/// Splits a (prefix-stripped) body line into name and argument text: at the first ASCII space
/// (`name = word`, `args = " " rest`), which is a plain split on every line of every file.
pub fn named_line(line: &str) -> NamedLine<'_> {
    match line.split_once(' ') {
        Some((name, args)) => NamedLine {
            name,
            args: Some(args),
        },
        None => NamedLine {
            name: line,
            args: None,
        },
    }
}

/// Splits argument text on `|` (with `\|` as a literal pipe) and trims every argument.
/// Empty text has no arguments; `a||b` has an empty middle one, as in Botium.
pub fn args(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    // Without a backslash there is no escape: the grammar is a plain split (the common case).
    if !text.contains('\\') {
        return text.split('|').map(|p| js_trim(p).to_string()).collect();
    }
    args_with_escapes(text)
}

/// [`args`] by the grammar itself, `\|` escapes included.
fn args_with_escapes(text: &str) -> Vec<String> {
    let arg = many0(alt((value('|', tag("\\|")), none_of("|"))))
        .map(|chars: Vec<char>| chars.into_iter().collect::<String>());
    let parsed: IResult<&str, Vec<String>> = separated_list1(char('|'), arg).parse(text);
    match parsed {
        Ok((_, parts)) => parts.iter().map(|p| js_trim(p).to_string()).collect(),
        // Unreachable for this grammar (every input splits), but never panic on input.
        Err(_) => vec![js_trim(text).to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag_of(line: &str) -> Option<(Sender, Option<String>)> {
        tag_line(line).map(|t| (t.sender, t.channel))
    }

    fn some(sender: Sender, channel: Option<&str>) -> Option<(Sender, Option<String>)> {
        Some((sender, channel.map(str::to_string)))
    }

    #[test]
    fn tag_lines_from_the_reference_table() {
        assert_eq!(tag_of("#me"), some(Sender::Me, None));
        assert_eq!(tag_of("#me   "), some(Sender::Me, None));
        assert_eq!(tag_of("#bot default"), some(Sender::Bot, Some("default")));
        assert_eq!(
            tag_of("#me hello channel"),
            some(Sender::Me, Some("hello channel"))
        );
        assert_eq!(tag_of("#include P1"), some(Sender::Include, Some("P1")));
        assert_eq!(tag_of("#begin"), some(Sender::Begin, None));
        assert_eq!(tag_of("#end"), some(Sender::End, None));
        for text in [
            "#BOT",
            "# bot",
            "#     me",
            " #me",
            "#meow",
            "#me\tx",
            "# one hash",
            "## two hashes",
            "##API_SUCCESS##",
            "#     me something else",
            "",
            "#",
        ] {
            assert_eq!(tag_line(text), None, "{text:?} is not a header");
        }
    }

    #[test]
    fn channel_is_trimmed_and_cut_at_the_first_space() {
        assert_eq!(tag_of("#bot   spaced  "), some(Sender::Bot, Some("spaced")));
        assert_eq!(tag_of("#me #private"), some(Sender::Me, Some("#private")));
    }

    #[test]
    fn prefixes_and_their_escapes() {
        let p = |l| {
            let x = prefixes(l);
            (x.optional, x.not, x.rest)
        };
        assert_eq!(p("?maybe"), (true, false, "maybe"));
        assert_eq!(p("??x"), (false, false, "?x"));
        assert_eq!(p("!x"), (false, true, "x"));
        assert_eq!(p("!!literal bang"), (false, false, "!literal bang"));
        assert_eq!(p("!!!!test"), (false, false, "!!!test"));
        assert_eq!(p("?!X"), (true, true, "X"));
        assert_eq!(p("??!test"), (false, false, "?!test"));
        assert_eq!(p("????test"), (false, false, "???test"));
        assert_eq!(p("plain"), (false, false, "plain"));
        assert_eq!(p(""), (false, false, ""));
    }

    #[test]
    fn name_is_cut_at_the_first_ascii_space_only() {
        assert_eq!(
            named_line("PAUSE 100"),
            NamedLine {
                name: "PAUSE",
                args: Some("100")
            }
        );
        assert_eq!(named_line("PAUSE\t100").name, "PAUSE\t100");
        assert_eq!(named_line(" PAUSE 100").name, "");
        assert_eq!(
            named_line("PAUSE"),
            NamedLine {
                name: "PAUSE",
                args: None
            }
        );
        assert_eq!(named_line("PAUSE ").args, Some(""));
    }

    #[test]
    fn args_split_on_unescaped_pipes_and_are_trimmed() {
        assert_eq!(args(r"a\|b|  c  |d"), ["a|b", "c", "d"]);
        assert_eq!(args(r"Test\|1|Test\|2"), ["Test|1", "Test|2"]);
        assert_eq!(
            args("dbUrl | dbPassword | INSERT INTO x"),
            ["dbUrl", "dbPassword", "INSERT INTO x"]
        );
        assert_eq!(args(r#"{"stepTimeout": 300}"#), [r#"{"stepTimeout": 300}"#]);
        assert_eq!(args("a||b"), ["a", "", "b"]);
        assert_eq!(args("a|"), ["a", ""]);
        assert_eq!(args(" "), [""]);
        assert_eq!(args(r"a\\|b"), [r"a\|b"]);
        assert_eq!(args(r"end\"), [r"end\"]);
        assert!(args("").is_empty());
    }

    proptest::proptest! {
        /// The split without escapes gives what the grammar gives.
        #[test]
        fn plain_split_agrees_with_the_grammar(text in "[a| \t\u{3000}]{1,12}") {
            proptest::prop_assert_eq!(args(&text), args_with_escapes(&text));
        }
    }
}
