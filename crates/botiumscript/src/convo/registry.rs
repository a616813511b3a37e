//! The registry of hook, asserter and user-input names.
//!
//! Botium decides at parse time whether a line is a hook or text by looking its first word up in
//! this registry, so the built-in names must be exactly Botium's (a missing one would turn a hook
//! into expected text). `botium.json` adds names through `ASSERTERS`, `LOGIC_HOOKS` and
//! `USER_INPUTS`. Each name also says whether it can apply to a phone call.

// The registry is asked about the first word of every script line: a fast hasher.
use foldhash::HashMap;

use crate::caps::{Extension, ExtensionKind};

/// The logic hook that includes a partial convo.
pub const INCLUDE: &str = "INCLUDE";
/// The SMS asserter of the Twilio IVR connector, built in here.
pub const CHECKTWILIOSMS: &str = "CHECKTWILIOSMS";

/// Whether a name means something on a phone call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// The runner supports it.
    Supported,
    /// It parses (so files read as in Botium) but cannot apply to a call; the reason says why.
    NotOnACall(&'static str),
    /// Declared in botium.json with a `src` the runner cannot load.
    External,
}

const NLU: &str = "a phone call carries only recognised speech, no NLU intents or entities";
const RICH: &str = "a phone call has no buttons, cards, media or forms in the bot's answer";
const JSON: &str = "bot messages on a phone call are recognised speech, not JSON payloads";
const MESSAGE_FIELDS: &str = "a phone call has no custom message fields to set";

/// Botium's built-in asserters (botium-core `LogicHookConsts` and the newer ones it documents).
const ASSERTERS: &[(&str, Applicability)] = &[
    ("BUTTONS", Applicability::NotOnACall(RICH)),
    ("BUTTONS_COUNT", Applicability::NotOnACall(RICH)),
    ("BUTTONS_COUNT_REC", Applicability::NotOnACall(RICH)),
    ("MEDIA", Applicability::NotOnACall(RICH)),
    ("MEDIA_COUNT", Applicability::NotOnACall(RICH)),
    ("MEDIA_COUNT_REC", Applicability::NotOnACall(RICH)),
    ("CARDS", Applicability::NotOnACall(RICH)),
    ("CARDS_COUNT", Applicability::NotOnACall(RICH)),
    ("CARDS_COUNT_REC", Applicability::NotOnACall(RICH)),
    ("PAUSE_ASSERTER", Applicability::Supported),
    ("JSON_PATH", Applicability::NotOnACall(JSON)),
    ("JSON_PATH_COUNT", Applicability::NotOnACall(JSON)),
    ("RESPONSE_LENGTH", Applicability::Supported),
    ("FORMS", Applicability::NotOnACall(RICH)),
    ("ENTITIES", Applicability::NotOnACall(NLU)),
    ("ENTITY_VALUES", Applicability::NotOnACall(NLU)),
    ("ENTITY_CONTENT", Applicability::NotOnACall(NLU)),
    ("INTENT", Applicability::NotOnACall(NLU)),
    ("INTENT_UNIQUE", Applicability::NotOnACall(NLU)),
    ("INTENT_CONFIDENCE", Applicability::NotOnACall(NLU)),
    ("TEXT_CONTAINS_ANY", Applicability::Supported),
    ("TEXT_CONTAINS_ANY_IC", Applicability::Supported),
    ("TEXT_CONTAINS_ALL", Applicability::Supported),
    ("TEXT_CONTAINS_ALL_IC", Applicability::Supported),
    ("TEXT_WILDCARD_ANY", Applicability::Supported),
    ("TEXT_WILDCARD_ANY_IC", Applicability::Supported),
    ("TEXT_WILDCARD_ALL", Applicability::Supported),
    ("TEXT_WILDCARD_ALL_IC", Applicability::Supported),
    ("TEXT_WILDCARDEXACT_ANY", Applicability::Supported),
    ("TEXT_WILDCARDEXACT_ANY_IC", Applicability::Supported),
    ("TEXT_WILDCARDEXACT_ALL", Applicability::Supported),
    ("TEXT_WILDCARDEXACT_ALL_IC", Applicability::Supported),
    ("TEXT_REGEXP_ANY", Applicability::Supported),
    ("TEXT_REGEXP_ANY_IC", Applicability::Supported),
    ("TEXT_REGEXP_ALL", Applicability::Supported),
    ("TEXT_REGEXP_ALL_IC", Applicability::Supported),
    ("TEXT_EQUALS", Applicability::Supported),
    ("TEXT_EQUALS_IC", Applicability::Supported),
    ("TEXT", Applicability::Supported),
    ("TEXT_IC", Applicability::Supported),
    ("TEXT_WER", Applicability::Supported),
    ("BOT_CONSUMED", Applicability::Supported),
    ("BOT_UNCONSUMED_COUNT", Applicability::Supported),
    (CHECKTWILIOSMS, Applicability::Supported),
    (
        crate::convo::call_state::CHECKTWILIOCALL,
        Applicability::Supported,
    ),
];

/// Botium's built-in logic hooks.
const LOGIC_HOOKS: &[(&str, Applicability)] = &[
    ("PAUSE", Applicability::Supported),
    ("WAITFORBOT", Applicability::Supported),
    ("SET_SCRIPTING_MEMORY", Applicability::Supported),
    ("CLEAR_SCRIPTING_MEMORY", Applicability::Supported),
    ("ASSIGN_SCRIPTING_MEMORY", Applicability::NotOnACall(JSON)),
    ("UPDATE_CUSTOM", Applicability::NotOnACall(MESSAGE_FIELDS)),
    ("SKIP_BOT_UNCONSUMED", Applicability::Supported),
    (INCLUDE, Applicability::Supported),
    ("CONVO_STEP_PARAMETERS", Applicability::Supported),
    ("CONDITIONAL_STEP_TIME_BASED", Applicability::Supported),
    ("CONDITIONAL_STEP_BUSINESS_HOURS", Applicability::Supported),
    (
        "CONDITIONAL_STEP_CAPABILITY_VALUE_BASED",
        Applicability::Supported,
    ),
    (
        "CONDITIONAL_STEP_JSON_PATH_BASED",
        Applicability::NotOnACall(JSON),
    ),
    ("ORDERED_LIST_TO_BUTTON", Applicability::NotOnACall(RICH)),
];

/// Botium's built-in user inputs. `BUTTON` is keypad tones; `MEDIA` plays audio from a URL.
const USER_INPUTS: &[(&str, Applicability)] = &[
    ("BUTTON", Applicability::Supported),
    ("MEDIA", Applicability::Supported),
    (
        "FORM",
        Applicability::NotOnACall("a caller cannot fill in forms; use speech or BUTTON digits"),
    ),
];

/// The names a parse recognises, per kind.
#[derive(Debug, Clone)]
pub struct Registry {
    asserters: HashMap<String, Applicability>,
    logic_hooks: HashMap<String, Applicability>,
    user_inputs: HashMap<String, Applicability>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new(&[])
    }
}

impl Registry {
    /// The built-in names plus the `ref` of every botium.json declaration.
    pub fn new(extensions: &[Extension]) -> Registry {
        let table = |entries: &[(&str, Applicability)]| -> HashMap<String, Applicability> {
            entries.iter().map(|(n, a)| (n.to_string(), *a)).collect()
        };
        let mut registry = Registry {
            asserters: table(ASSERTERS),
            logic_hooks: table(LOGIC_HOOKS),
            user_inputs: table(USER_INPUTS),
        };
        for ext in extensions {
            let map = match ext.kind {
                ExtensionKind::Asserter => &mut registry.asserters,
                ExtensionKind::LogicHook => &mut registry.logic_hooks,
                ExtensionKind::UserInput => &mut registry.user_inputs,
            };
            let builtin = map.get(&ext.name).copied();
            map.insert(ext.name.clone(), declared_applicability(ext, builtin));
        }
        registry
    }

    /// Is `name` an asserter?
    pub fn is_asserter(&self, name: &str) -> bool {
        self.asserters.contains_key(name)
    }

    /// Is `name` a logic hook?
    pub fn is_logic_hook(&self, name: &str) -> bool {
        self.logic_hooks.contains_key(name)
    }

    /// Is `name` a user input?
    pub fn is_user_input(&self, name: &str) -> bool {
        self.user_inputs.contains_key(name)
    }

    /// Whether an asserter can apply to a phone call.
    pub fn asserter(&self, name: &str) -> Applicability {
        self.asserters
            .get(name)
            .copied()
            .unwrap_or(Applicability::External)
    }

    /// Whether a logic hook can apply to a phone call.
    pub fn logic_hook(&self, name: &str) -> Applicability {
        self.logic_hooks
            .get(name)
            .copied()
            .unwrap_or(Applicability::External)
    }

    /// Whether a user input can apply to a phone call.
    pub fn user_input(&self, name: &str) -> Applicability {
        self.user_inputs
            .get(name)
            .copied()
            .unwrap_or(Applicability::External)
    }

    /// Every name of every kind (for "did you mean" hints).
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.asserters
            .keys()
            .chain(self.logic_hooks.keys())
            .chain(self.user_inputs.keys())
            .map(String::as_str)
    }
}

/// A declaration keeps a built-in's applicability when it points at the built-in (Botium-style
/// `src` such as `botium-connector-twilio-ivr/CHECKTWILIOSMS`, a class name, or no `src`); any
/// other `src` is code we cannot run.
fn declared_applicability(ext: &Extension, builtin: Option<Applicability>) -> Applicability {
    let Some(builtin) = builtin else {
        return Applicability::External;
    };
    match ext.src.as_deref() {
        None => builtin,
        Some("botium-connector-twilio-ivr/CHECKTWILIOSMS") => builtin,
        Some(src) if !src.contains('/') && !src.contains('.') => builtin,
        Some(_) => Applicability::External,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(kind: ExtensionKind, name: &str, src: Option<&str>) -> Extension {
        Extension {
            kind,
            name: name.into(),
            src: src.map(Into::into),
            global: false,
            args: None,
        }
    }

    #[test]
    fn builtins_are_registered_per_kind() {
        let r = Registry::default();
        assert!(r.is_asserter("TEXT_CONTAINS_ANY_IC"));
        assert!(r.is_asserter("BOT_UNCONSUMED_COUNT"));
        assert!(!r.is_asserter("PAUSE"));
        assert!(r.is_logic_hook("PAUSE"));
        assert!(r.is_logic_hook("CONVO_STEP_PARAMETERS"));
        assert!(r.is_user_input("BUTTON"));
        assert!(!r.is_user_input("BUTTONS"));
        // Names are case-sensitive.
        assert!(!r.is_logic_hook("pause"));
    }

    #[test]
    fn phone_call_applicability() {
        let r = Registry::default();
        assert!(matches!(r.asserter("INTENT"), Applicability::NotOnACall(_)));
        assert!(matches!(
            r.asserter("JSON_PATH"),
            Applicability::NotOnACall(_)
        ));
        assert!(matches!(r.asserter("CARDS"), Applicability::NotOnACall(_)));
        assert_eq!(r.asserter("TEXT"), Applicability::Supported);
        assert_eq!(r.user_input("BUTTON"), Applicability::Supported);
    }

    #[test]
    fn botium_json_declarations_add_names() {
        let r = Registry::new(&[
            ext(
                ExtensionKind::Asserter,
                CHECKTWILIOSMS,
                Some("botium-connector-twilio-ivr/CHECKTWILIOSMS"),
            ),
            ext(ExtensionKind::Asserter, "DUMMY", Some("./dummy.js")),
            ext(ExtensionKind::LogicHook, "MY_HOOK", None),
        ]);
        assert_eq!(r.asserter(CHECKTWILIOSMS), Applicability::Supported);
        assert!(r.is_asserter("DUMMY"));
        assert_eq!(r.asserter("DUMMY"), Applicability::External);
        assert!(r.is_logic_hook("MY_HOOK"));
        assert_eq!(r.logic_hook("MY_HOOK"), Applicability::External);
    }
}
