//! What can be wrong with a conditional-step hook: in the file (`ConditionError`, found by
//! `ivr-test check` before any call) or only at run time (`EvalError`).

/// A `CONDITIONAL_STEP_*` hook that cannot be parsed; each message says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConditionError {
    /// The name is not one of the conditional-step hooks evaluated here.
    #[error(
        "`{name}` is not a conditional-step hook evaluated on a call (known: {})",
        super::HOOKS.join(", ")
    )]
    UnknownHook {
        /// The hook name as written.
        name: String,
    },
    /// No argument at all.
    #[error("the condition is missing: write a JSON object after the hook name, e.g. {example}")]
    MissingParams {
        /// A valid example for this hook.
        example: &'static str,
    },
    /// More than `JSON|group`.
    #[error(
        "expected `{{...}}|group`, found {count} `|`-separated arguments: a `|` inside the JSON \
         must be written `\\|`"
    )]
    TooManyArgs {
        /// How many arguments there were.
        count: usize,
    },
    /// `{...}|` with nothing after the `|`.
    #[error("the condition group after `|` is empty: name the group, or drop the `|`")]
    EmptyGroup,
    /// The first argument is not JSON.
    #[error("the condition is not valid JSON: {message} (at character {column} of the JSON)")]
    BadJson {
        /// serde_json's description, without its position.
        message: String,
        /// 1-based character position inside the JSON argument.
        column: usize,
    },
    /// JSON, but not an object.
    #[error("the condition must be a JSON object `{{...}}`, found {found}; e.g. {example}")]
    NotAnObject {
        /// What kind of JSON value it was.
        found: &'static str,
        /// A valid example for this hook.
        example: &'static str,
    },
    /// A key this hook does not read (Botium would silently ignore it).
    #[error("unknown key \"{key}\"{hint}; this hook reads {}", allowed.join(", "))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// ` (did you mean "…"?)` or empty.
        hint: String,
        /// The keys this hook reads.
        allowed: &'static [&'static str],
    },
    /// A required key is absent.
    #[error("\"{key}\" is missing; e.g. {example}")]
    MissingKey {
        /// The missing key.
        key: &'static str,
        /// A valid example for this hook.
        example: &'static str,
    },
    /// A key whose value must be a string is something else.
    #[error("\"{key}\" must be a string, found {found}")]
    NotAString {
        /// The key.
        key: &'static str,
        /// What kind of JSON value it was.
        found: &'static str,
    },
    /// `start` or `end` is not `H:MM`.
    #[error(
        "\"{key}\": \"{value}\" is not a time of day; write H:MM on the 24-hour clock, e.g. \"8:00\" \
         or \"16:30\""
    )]
    BadTime {
        /// `start` or `end`.
        key: &'static str,
        /// The value as written.
        value: String,
    },
    /// Only one of `start` and `end` (business hours).
    #[error("\"{given}\" needs \"{missing}\" too; or leave both out to check the days only")]
    HalfWindow {
        /// The key that is present.
        given: &'static str,
        /// The key that is absent.
        missing: &'static str,
    },
    /// Business hours with neither a window nor days.
    #[error("nothing to check: give \"start\" and \"end\", a non-empty \"days\" list, or both")]
    NothingToCheck,
    /// `days` is not a list of strings.
    #[error("\"days\" must be a list of day names like [\"Monday\", \"Friday\"], found {found}")]
    DaysNotAList {
        /// What kind of JSON value it was (or held).
        found: &'static str,
    },
    /// A day that is not an English weekday name as Botium writes it.
    #[error(
        "unknown day \"{day}\"{hint}: Botium compares English day names exactly, as in \"Monday\""
    )]
    UnknownDay {
        /// The day as written.
        day: String,
        /// ` (did you mean "…"?)` or empty.
        hint: String,
    },
    /// A `timeZone` that is not in the IANA database.
    #[error(
        "unknown time zone \"{zone}\"{hint}: use an IANA name such as \"Europe/Vienna\" or \"UTC\""
    )]
    UnknownZone {
        /// The zone as written.
        zone: String,
        /// ` (did you mean "…"?)` or empty.
        hint: String,
    },
    /// A `value` that Botium's `===` can never equal.
    #[error(
        "\"value\" is {found}, which never matches (Botium compares with ===); give a string, \
         number, boolean or null"
    )]
    UnmatchableValue {
        /// `an object` or `a list`.
        found: &'static str,
    },
    /// `capabilityName` is empty.
    #[error("\"capabilityName\" is empty: name a capability, e.g. \"MY_CAPABILITY\"")]
    EmptyCapabilityName,
    /// A `jsonPath` outside the supported subset.
    #[error(
        "jsonPath \"{path}\": {reason}; only simple paths like \"$.a.b\", \"$.list[0]\" or \
         \"$['a key']\" are supported"
    )]
    BadJsonPath {
        /// The path as written.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A condition that parsed but cannot be evaluated with the capabilities at hand; Botium throws
/// here too, which fails the convo.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// `jsonPath` given, but the capability is not set.
    #[error("capability {name} is not set, so jsonPath cannot look into it")]
    CapabilityMissing {
        /// The capability name.
        name: String,
    },
    /// `jsonPath` given, the capability is a string, and not JSON.
    #[error("capability {name} is not JSON ({message}), so jsonPath cannot look into it")]
    CapabilityNotJson {
        /// The capability name.
        name: String,
        /// serde_json's description.
        message: String,
    },
    /// `jsonPath` given, the capability is neither an object nor a list.
    #[error(
        "capability {name} is {found}, not a JSON object or list, so jsonPath cannot look into it"
    )]
    CapabilityNotContainer {
        /// The capability name.
        name: String,
        /// What kind of JSON value it was.
        found: &'static str,
    },
}

/// The kind of a JSON value, for messages.
pub(super) fn kind_of(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// ` (did you mean "x"?)` for the candidate closest to `written`, or empty when none is close.
pub(super) fn did_you_mean(written: &str, candidates: &[&str]) -> String {
    crate::caps::did_you_mean(written, candidates)
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default()
}
