//! What the `SCRIPTING_*` capabilities and extension declarations of `botium.json` say, as
//! the parser and the matcher read them. Reading them from JSON is the host's job (the
//! `ivr-test` binary's `config`); this crate only defines them.

use serde_json::Value;

/// Which registry an extension declaration adds a name to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionKind {
    /// An `ASSERTERS` entry.
    Asserter,
    /// A `LOGIC_HOOKS` entry.
    LogicHook,
    /// A `USER_INPUTS` entry.
    UserInput,
}

/// One `{"ref", "src", "global", "args"}` entry of `ASSERTERS`, `LOGIC_HOOKS` or `USER_INPUTS`.
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    /// The registry the entry belongs to.
    pub kind: ExtensionKind,
    /// `ref`: the name scripts use.
    pub name: String,
    /// `src`: where Botium would load the implementation from.
    pub src: Option<String>,
    /// `global`: runs on every step.
    pub global: bool,
    /// `args`: global arguments.
    pub args: Option<Value>,
}

/// How `#me` utterance references expand into test cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UttExpansionMode {
    /// One test case per sample (default).
    All,
    /// Only the first sample.
    First,
    /// `SCRIPTING_UTTEXPANSION_RANDOM_COUNT` random samples.
    Random,
    /// Pair samples of several utterances by index.
    Index,
}

/// How expanded test cases are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UttNamingMode {
    /// `<convo>/<UTT>-L<n>` (default).
    JustLineTag,
    /// `<convo>/<UTT>-L<n>-<sample>`.
    Utterance,
}

/// The `SCRIPTING_*` capabilities.
#[derive(Debug, Clone)]
pub struct ScriptingCaps {
    /// `SCRIPTING_MATCHING_MODE` as written (default `wildcardIgnoreCase`).
    pub matching_mode: String,
    /// `SCRIPTING_MATCHING_MODE_ARGS`.
    pub matching_mode_args: Vec<Value>,
    /// `SCRIPTING_NORMALIZE_TEXT` (default true).
    pub normalize_text: bool,
    /// `SCRIPTING_NORMALIZE_TEXT_REMOVE_CHARACTERES` (Botium's spelling).
    pub normalize_remove_characters: Vec<String>,
    /// `SCRIPTING_NORMALIZE_TEXT_REMOVE_REGEXP`.
    pub normalize_remove_regexp: Option<String>,
    /// `SCRIPTING_SPEECH_TOLERANT` (ours, default true): number words, punctuation, recogniser variants.
    pub speech_tolerant: bool,
    /// `SCRIPTING_SIMILARITY_THRESHOLD` (ours, 0..=1, default 1): a near miss at or above it passes.
    pub similarity_threshold: f64,
    /// `SCRIPTING_TXT_EOL`: a custom line separator.
    pub txt_eol: Option<String>,
    /// `SCRIPTING_ENABLE_MEMORY` (default false).
    pub enable_memory: bool,
    /// `SCRIPTING_MEMORY_MATCHING_MODE` (default `non_whitespace`).
    pub memory_matching_mode: String,
    /// `SCRIPTING_MEMORY_COLUMN_MODE`.
    pub memory_column_mode: Option<String>,
    /// `SCRIPTING_MEMORYEXPANSION_KEEP_ORIG` (default false).
    pub memory_expansion_keep_orig: bool,
    /// `SCRIPTING_ENABLE_MULTIPLE_ASSERT_ERRORS` (default false).
    pub enable_multiple_assert_errors: bool,
    /// `SCRIPTING_ENABLE_SKIP_ASSERT_ERRORS` (default false).
    pub enable_skip_assert_errors: bool,
    /// `SCRIPTING_FORCE_BOT_CONSUMED` (default false).
    pub force_bot_consumed: bool,
    /// `SCRIPTING_UTTEXPANSION_MODE` (default all).
    pub utt_expansion_mode: UttExpansionMode,
    /// `SCRIPTING_UTTEXPANSION_RANDOM_COUNT` (default 1).
    pub utt_expansion_random_count: u32,
    /// `SCRIPTING_UTTEXPANSION_NAMING_MODE` (default justLineTag).
    pub utt_expansion_naming_mode: UttNamingMode,
    /// `SCRIPTING_UTTEXPANSION_NAMING_UTTERANCE_MAX` (default 16).
    pub utt_expansion_naming_utterance_max: u32,
    /// `SCRIPTING_CONVO_STEP_PARAMETERS`: defaults for every step.
    pub convo_step_parameters: Option<Value>,
}

impl Default for ScriptingCaps {
    fn default() -> Self {
        ScriptingCaps {
            matching_mode: "wildcardIgnoreCase".into(),
            matching_mode_args: Vec::new(),
            normalize_text: true,
            normalize_remove_characters: Vec::new(),
            normalize_remove_regexp: None,
            speech_tolerant: true,
            similarity_threshold: 1.0,
            txt_eol: None,
            enable_memory: false,
            memory_matching_mode: "non_whitespace".into(),
            memory_column_mode: None,
            memory_expansion_keep_orig: false,
            enable_multiple_assert_errors: false,
            enable_skip_assert_errors: false,
            force_bot_consumed: false,
            utt_expansion_mode: UttExpansionMode::All,
            utt_expansion_random_count: 1,
            utt_expansion_naming_mode: UttNamingMode::JustLineTag,
            utt_expansion_naming_utterance_max: 16,
            convo_step_parameters: None,
        }
    }
}

/// The closest candidate to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (*c, strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())))
        .filter(|(_, score)| *score >= 0.85)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}
