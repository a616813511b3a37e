//! The predicates of `split-based-on`, as Studio documents them: "Studio conditions are not
//! case-sensitive and automatically trim leading and trailing spaces of the values."
//!
//! | predicate | holds when (after trimming, ignoring case) |
//! |---|---|
//! | `equal_to` / `not_equal_to` | the input is (not) the value |
//! | `matches_any_of` / `does_not_match_any_of` | the input is (not) one of the comma-separated values |
//! | `is_blank` / `is_not_blank` | the input is (not) empty |
//! | `regex` | the value, a JavaScript regular expression, matches somewhere in the input |
//! | `contains` / `does_not_contain` | the value is (not) part of the input |
//! | `starts_with` / `does_not_start_with` | the input does (not) begin with the value |
//! | `less_than` / `greater_than` | both are numbers and the input is smaller / greater |
//! | `is_before_time` / `is_after_time` | both are times of day (`14:30`, `2:30 PM`, or a date-time whose time is used) and the input's is earlier / later |
//! | `is_before_date` / `is_after_date` | both are dates (`2024-12-25`, `12/25/2024`, or a date-time whose date is used) and the input's is earlier / later |
//!
//! A number, time or date that cannot be read makes the comparison false (Studio's documentation
//! gives no formats; these are the ones its editor and exports show).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

use botiumscript::matching::JsRegex;

/// A `split-based-on` predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicate {
    /// `equal_to`.
    EqualTo,
    /// `not_equal_to`.
    NotEqualTo,
    /// `matches_any_of`.
    MatchesAnyOf,
    /// `does_not_match_any_of`.
    DoesNotMatchAnyOf,
    /// `is_blank`.
    IsBlank,
    /// `is_not_blank`.
    IsNotBlank,
    /// `regex`.
    Regex,
    /// `contains`.
    Contains,
    /// `does_not_contain`.
    DoesNotContain,
    /// `starts_with`.
    StartsWith,
    /// `does_not_start_with`.
    DoesNotStartWith,
    /// `less_than`.
    LessThan,
    /// `greater_than`.
    GreaterThan,
    /// `is_before_time`.
    IsBeforeTime,
    /// `is_after_time`.
    IsAfterTime,
    /// `is_before_date`.
    IsBeforeDate,
    /// `is_after_date`.
    IsAfterDate,
}

const NAMES: [(&str, Predicate); 17] = [
    ("equal_to", Predicate::EqualTo),
    ("not_equal_to", Predicate::NotEqualTo),
    ("matches_any_of", Predicate::MatchesAnyOf),
    ("does_not_match_any_of", Predicate::DoesNotMatchAnyOf),
    ("is_blank", Predicate::IsBlank),
    ("is_not_blank", Predicate::IsNotBlank),
    ("regex", Predicate::Regex),
    ("contains", Predicate::Contains),
    ("does_not_contain", Predicate::DoesNotContain),
    ("starts_with", Predicate::StartsWith),
    ("does_not_start_with", Predicate::DoesNotStartWith),
    ("less_than", Predicate::LessThan),
    ("greater_than", Predicate::GreaterThan),
    ("is_before_time", Predicate::IsBeforeTime),
    ("is_after_time", Predicate::IsAfterTime),
    ("is_before_date", Predicate::IsBeforeDate),
    ("is_after_date", Predicate::IsAfterDate),
];

impl Predicate {
    /// The predicate spelled `name` in a flow definition.
    pub fn named(name: &str) -> Option<Predicate> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }

    /// Every spelling, for error messages.
    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    /// Whether the predicate compares with a value (all but `is_blank` and `is_not_blank`).
    pub fn needs_value(self) -> bool {
        !matches!(self, Predicate::IsBlank | Predicate::IsNotBlank)
    }

    /// Whether `input` satisfies the predicate against `value` (both rendered).
    pub fn holds(self, input: &str, value: &str) -> bool {
        let input = input.trim();
        let value = value.trim();
        let (input_ci, value_ci) = (input.to_lowercase(), value.to_lowercase());
        let any_of = || {
            value
                .split(',')
                .any(|v| v.trim().to_lowercase() == input_ci)
        };
        match self {
            Predicate::EqualTo => input_ci == value_ci,
            Predicate::NotEqualTo => input_ci != value_ci,
            Predicate::MatchesAnyOf => any_of(),
            Predicate::DoesNotMatchAnyOf => !any_of(),
            Predicate::IsBlank => input.is_empty(),
            Predicate::IsNotBlank => !input.is_empty(),
            Predicate::Regex => compile_regex(value).is_ok_and(|re| re.is_match(input)),
            Predicate::Contains => input_ci.contains(&value_ci),
            Predicate::DoesNotContain => !input_ci.contains(&value_ci),
            Predicate::StartsWith => input_ci.starts_with(&value_ci),
            Predicate::DoesNotStartWith => !input_ci.starts_with(&value_ci),
            Predicate::LessThan | Predicate::GreaterThan => {
                match (input.parse::<f64>(), value.parse::<f64>()) {
                    (Ok(a), Ok(b)) if self == Predicate::LessThan => a < b,
                    (Ok(a), Ok(b)) => a > b,
                    _ => false,
                }
            }
            Predicate::IsBeforeTime | Predicate::IsAfterTime => {
                match (time_of_day(input), time_of_day(value)) {
                    (Some(a), Some(b)) if self == Predicate::IsBeforeTime => a < b,
                    (Some(a), Some(b)) => a > b,
                    _ => false,
                }
            }
            Predicate::IsBeforeDate | Predicate::IsAfterDate => match (date(input), date(value)) {
                (Some(a), Some(b)) if self == Predicate::IsBeforeDate => a < b,
                (Some(a), Some(b)) => a > b,
                _ => false,
            },
        }
    }
}

/// A `regex` condition's pattern, compiled as Studio's (JavaScript) engine reads it, ignoring
/// case like every Studio condition.
pub(crate) fn compile_regex(pattern: &str) -> Result<JsRegex, String> {
    JsRegex::new(pattern, "i").map_err(|e| e.to_string())
}

/// A time of day: `14:30`, `14:30:15`, `2:30 PM`, `2:30pm`, `2 PM`, or a date-time.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let compact = text.to_uppercase().replace(' ', "");
    for format in ["%H:%M", "%H:%M:%S", "%I:%M%p", "%I:%M:%S%p", "%I%p"] {
        if let Ok(time) = NaiveTime::parse_from_str(&compact, format) {
            return Some(time);
        }
    }
    date_time(text).map(|t| t.time())
}

/// A calendar date: `2024-12-25`, `12/25/2024`, or a date-time.
fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%m/%d/%Y"))
        .ok()
        .or_else(|| date_time(text).map(|t| t.date()))
}

/// RFC 3339 (`2024-12-25T14:30:00Z`), RFC 2822 (Twilio's dates), or `2024-12-25 14:30[:00]`.
fn date_time(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .map(|t| t.naive_local())
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        })
}

#[cfg(test)]
mod tests {
    use super::Predicate::*;
    use super::*;

    #[test]
    fn every_predicate_by_name() {
        assert_eq!(Predicate::names().count(), 17);
        for name in Predicate::names() {
            assert!(Predicate::named(name).is_some(), "{name}");
        }
        assert_eq!(Predicate::named("equals"), None);
    }

    #[test]
    fn equality_ignores_case_and_surrounding_spaces() {
        assert!(EqualTo.holds(" Yes ", "yes"));
        assert!(!EqualTo.holds("yes please", "yes"));
        assert!(NotEqualTo.holds("no", "yes"));
        assert!(!NotEqualTo.holds("YES", "yes"));
    }

    #[test]
    fn lists_are_comma_separated() {
        assert!(MatchesAnyOf.holds("2", "1, 2 ,3"));
        assert!(MatchesAnyOf.holds("new york", "Ohio,New York"));
        assert!(!MatchesAnyOf.holds("4", "1,2,3"));
        assert!(DoesNotMatchAnyOf.holds("4", "1,2,3"));
        assert!(!DoesNotMatchAnyOf.holds("3", "1,2,3"));
    }

    #[test]
    fn blank_means_nothing_but_spaces() {
        assert!(IsBlank.holds("", ""));
        assert!(IsBlank.holds("   ", ""));
        assert!(!IsBlank.holds("0", ""));
        assert!(IsNotBlank.holds("0", ""));
        assert!(!IsNotBlank.holds(" ", ""));
    }

    #[test]
    fn regex_searches_ignoring_case() {
        assert!(Regex.holds("Account 12345", r"\d{5}"));
        assert!(Regex.holds("SALES", "^sales$"));
        assert!(!Regex.holds("support", "^sales"));
        assert!(!Regex.holds("anything", "(unclosed"));
    }

    #[test]
    fn substrings_and_prefixes() {
        assert!(Contains.holds("I want SALES please", "sales"));
        assert!(!Contains.holds("support", "sales"));
        assert!(DoesNotContain.holds("support", "sales"));
        assert!(!DoesNotContain.holds("sales", "Sales"));
        assert!(StartsWith.holds("Sales team", "sales"));
        assert!(!StartsWith.holds("the sales team", "sales"));
        assert!(DoesNotStartWith.holds("the sales team", "sales"));
        assert!(!DoesNotStartWith.holds("sales", "SAL"));
    }

    #[test]
    fn numbers_compare_only_as_numbers() {
        assert!(LessThan.holds("9", "10"));
        assert!(!LessThan.holds("10", "10"));
        assert!(GreaterThan.holds("10.5", "10"));
        assert!(!GreaterThan.holds("abc", "1"));
        assert!(!LessThan.holds("abc", "1"));
    }

    #[test]
    fn times_of_day() {
        assert!(IsBeforeTime.holds("08:59", "09:00"));
        assert!(IsBeforeTime.holds("8:59 AM", "9:00 am"));
        assert!(!IsBeforeTime.holds("17:00", "9:00 AM"));
        assert!(IsAfterTime.holds("5:30 PM", "17:00"));
        assert!(IsAfterTime.holds("2024-03-05T18:00:00Z", "17:00"));
        assert!(!IsAfterTime.holds("never", "17:00"));
    }

    #[test]
    fn dates() {
        assert!(IsBeforeDate.holds("2024-12-24", "2024-12-25"));
        assert!(IsBeforeDate.holds("12/24/2024", "2024-12-25"));
        assert!(!IsBeforeDate.holds("2024-12-25", "2024-12-25"));
        assert!(IsAfterDate.holds("Tue, 31 Dec 2024 20:36:28 +0000", "2024-12-25"));
        assert!(!IsAfterDate.holds("2024-12-25", "soon"));
    }
}
