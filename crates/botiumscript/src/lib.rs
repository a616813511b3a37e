//! BotiumScript, as Botium reads and matches it: test scripts (`.convo.txt`, partial convos,
//! utterance lists, scripting-memory tables) parsed, validated and expanded into test cases,
//! and the matching modes that decide whether a bot's text meets an expectation.
//!
//! # Map of the crate
//!
//! | module | job |
//! |---|---|
//! | [`caps`] | the `SCRIPTING_*` capabilities and extension declarations the parser and matcher read (the host reads them from `botium.json`) |
//! | [`convo`] | the nom grammar, the step builder, file discovery, partial convos, utterances, scripting-memory tables and variable names, conditional-step conditions, `CHECKTWILIOCALL` checks (`call_state`), diagnostics with file, line and column |
//! | [`matching`] | Botium's matching modes and normalisation, the speech-tolerant layer, similarity scores, where a match ends in a heard stream, closest passages and repeated prompts |
//! | [`js_text`] | JavaScript's whitespace rules and string order, which Botium's parsing, matching and test case order follow |
//!
//! # Data flow
//!
//! ```text
//! *.convo.txt, *.pconvo.txt, *.utterances.txt, caps::ScriptingCaps
//!     --> convo::load (grammar -> steps -> includes -> expansion; every error collected)
//!     --> convo::Suite (test cases) --> the host runs them, asking matching::Matcher
//!         whether what the bot said meets each expectation
//! ```

#![warn(missing_docs)]

pub mod caps;
pub mod convo;
pub mod js_text;
pub mod matching;
