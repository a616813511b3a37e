//! Whether the IVR has offered the answer a `#me` step is about to give.
//!
//! A caller who knows the menu presses 1 as soon as they hear "press 1" (or "1 for sales"),
//! not after the whole menu. Answering on the offer, rather than on the `#bot` match alone,
//! matters: keys pressed while an IVR speaks outside its `<Gather>` are lost, and an offer is
//! normally made inside the `<Gather>` that will take the answer.
//!
//! Texts are compared in the speech-tolerant canonical form (`one` = `1`, `hash` = `pound`,
//! `star key` = `star`). Only answers an IVR can offer are looked for: one key, or words the
//! IVR can name ("sales"); several keys (an account number) are never offered, so the runner
//! waits for the IVR to fall silent before giving them.

use crate::turn::Action;
use botiumscript::matching::canonical_words;

/// Words that announce a key: "press 1", "dial 0", "enter the star key", "option 2".
const KEY_CUES: &[&str] = &[
    "press", "dial", "enter", "push", "hit", "select", "choose", "option", "touch", "type", "key",
];
/// Words after a key that make it an option: "1 for sales", "2 to repeat".
const KEY_FOLLOWERS: &[&str] = &["for", "to"];
/// How many words before a key a cue may stand ("press the star key").
const CUE_REACH: usize = 3;
/// Words of a spoken answer an IVR would not offer ("I'd like sales please").
const FILLERS: &[&str] = &[
    "please", "i", "id", "im", "like", "want", "would", "to", "the", "a", "an", "my", "me", "um",
    "uh", "er", "just", "thanks", "thank", "you", "and",
];

/// What the IVR must say for an answer to count as offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// One key, as its canonical word (`1`, `star`, `pound`).
    Key(String),
    /// The words of a spoken answer that carry its meaning (`sales`).
    Words(Vec<String>),
}

impl Offer {
    /// The offer to listen for before giving `actions`; `None` when the IVR cannot be expected to
    /// offer them (several keys, a recording, nothing to say).
    pub fn of(actions: &[Action]) -> Option<Offer> {
        match actions.first()? {
            Action::Press(keys) => {
                let keys: Vec<char> = keys.chars().filter(|c| !matches!(c, 'w' | 'W')).collect();
                match keys.as_slice() {
                    ['*'] => Some(Offer::Key("star".into())),
                    ['#'] => Some(Offer::Key("pound".into())),
                    [digit] if digit.is_ascii_digit() => Some(Offer::Key(digit.to_string())),
                    _ => None,
                }
            }
            Action::Say(text) => {
                let words: Vec<String> = canonical_words(text)
                    .into_iter()
                    .filter(|w| !FILLERS.contains(&w.as_str()))
                    .collect();
                (!words.is_empty()).then_some(Offer::Words(words))
            }
            Action::Play(_) | Action::Listen | Action::HangUp => None,
        }
    }

    /// Where `heard` makes this offer: the words that made it (`press 1`, `1 for sales`,
    /// `say sales`), or `None` when it has not been made.
    pub fn find_in(&self, heard: &str) -> Option<String> {
        let words = canonical_words(heard);
        match self {
            Offer::Key(key) => words.iter().enumerate().find_map(|(i, word)| {
                if word != key {
                    return None;
                }
                let from = i.saturating_sub(CUE_REACH);
                if let Some(cue) = (from..i).find(|&j| KEY_CUES.contains(&words[j].as_str())) {
                    return Some(words[cue..=i].join(" "));
                }
                let follower = words.get(i + 1)?;
                KEY_FOLLOWERS
                    .contains(&follower.as_str())
                    .then(|| words[i..(i + 3).min(words.len())].join(" "))
            }),
            Offer::Words(wanted) => wanted
                .iter()
                .all(|w| words.contains(w))
                .then(|| wanted.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(keys: &str) -> Option<Offer> {
        Offer::of(&[Action::Press(keys.into())])
    }

    fn say(text: &str) -> Option<Offer> {
        Offer::of(&[Action::Say(text.into())])
    }

    #[test]
    fn one_key_is_offered_by_press_or_for() {
        let one = press("1").expect("a single key is offerable");
        assert_eq!(
            one.find_in("Welcome. For sales, press one."),
            Some("press 1".into())
        );
        assert_eq!(
            one.find_in("1 for sales, 2 for billing"),
            Some("1 for sales".into())
        );
        assert_eq!(one.find_in("You have 1 new message."), None);
        assert_eq!(one.find_in("Press 2 for billing."), None);
    }

    #[test]
    fn star_and_pound_are_named() {
        let star = press("*").expect("offerable");
        assert_eq!(
            star.find_in("To return to the menu, press the star key."),
            Some("press the star".into())
        );
        let pound = press("#").expect("offerable");
        assert_eq!(pound.find_in("then press hash"), Some("press pound".into()));
        assert_eq!(press("w1"), Some(Offer::Key("1".into())));
    }

    #[test]
    fn several_keys_and_recordings_are_never_offered() {
        assert_eq!(press("654321#"), None);
        assert_eq!(press("12"), None);
        assert_eq!(
            Offer::of(&[Action::Play("https://example.com/a.wav".into())]),
            None
        );
        assert_eq!(Offer::of(&[]), None);
    }

    #[test]
    fn a_spoken_answer_is_offered_when_its_meaning_words_are_said() {
        let sales = say("sales please").expect("offerable");
        assert_eq!(sales, Offer::Words(vec!["sales".into()]));
        assert_eq!(
            sales.find_in("Say sales, or billing."),
            Some("sales".into())
        );
        assert_eq!(sales.find_in("Say billing or support."), None);
        let balance = say("I'd like to check my balance").expect("offerable");
        assert_eq!(balance.find_in("For your balance, say balance."), None);
        assert_eq!(say("please"), None);
    }

    #[test]
    fn the_first_action_of_a_step_decides() {
        let mixed = Offer::of(&[Action::Press("2".into()), Action::Say("sales".into())]);
        assert_eq!(mixed, Some(Offer::Key("2".into())));
    }
}
