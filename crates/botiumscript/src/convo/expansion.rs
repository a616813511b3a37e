//! Utterance expansion: a `#me` step whose text names an utterance list becomes one test case
//! per sample (botium-core `_expandConvo`), named `<convo>/<UTT>-L<n>`.
//!
//! Several such steps multiply (cartesian product). `SCRIPTING_UTTEXPANSION_MODE` picks all
//! samples, the first, a random subset or (`index`) the n-th sample of every list for the n-th
//! test case. A list with a single sample keeps the convo's name (reference §3.7). Random picks
//! are seeded by the convo name, so a rerun tests the same samples.

use super::ast::{Convo, ConvoStep, Location, Sender};
use super::utterances::{format_sample, UtteranceBook};
use crate::caps::{ScriptingCaps, UttExpansionMode, UttNamingMode};

/// At most this many test cases from one convo. Each is a billed phone call, and a few `#me`
/// steps with long lists multiply into millions (Botium would try to build them all).
pub const MAX_TEST_CASES_PER_CONVO: usize = 10_000;

/// A convo whose utterance expansion would exceed [`MAX_TEST_CASES_PER_CONVO`].
#[derive(Debug, Clone, PartialEq)]
pub struct TooManyTestCases {
    /// The first `#me` step that refers to an utterance list.
    pub location: Location,
    /// How many test cases the expansion would make (saturating).
    pub count: usize,
}

/// Expands one convo (whose includes are already expanded) into its test cases, after checking
/// how many there would be.
pub fn expand_utterances(
    mut convo: Convo,
    book: &UtteranceBook,
    caps: &ScriptingCaps,
) -> Result<Vec<Convo>, TooManyTestCases> {
    let lists: Vec<(&ConvoStep, usize)> = convo
        .steps
        .iter()
        .filter_map(|s| utterance_of(s, book).map(|(_, samples)| (s, samples.len())))
        .collect();
    let picked = |n: usize| match caps.utt_expansion_mode {
        UttExpansionMode::First => n.min(1),
        UttExpansionMode::Random => n.min(caps.utt_expansion_random_count.max(1) as usize),
        UttExpansionMode::All | UttExpansionMode::Index => n,
    };
    let count = if caps.utt_expansion_mode == UttExpansionMode::Index {
        lists.iter().map(|l| l.1).max().unwrap_or(1)
    } else {
        lists
            .iter()
            .fold(1usize, |acc, l| acc.saturating_mul(picked(l.1).max(1)))
    };
    if let (true, Some((first, _))) = (count > MAX_TEST_CASES_PER_CONVO, lists.first()) {
        return Err(TooManyTestCases {
            location: first.location.clone(),
            count,
        });
    }
    if lists.is_empty() {
        return Ok(vec![convo]);
    }
    if caps.utt_expansion_mode == UttExpansionMode::Index {
        return Ok(expand_by_index(&convo, book, caps));
    }
    let mut out = Vec::new();
    let steps = std::mem::take(&mut convo.steps);
    let name = convo.name.clone();
    expand_from(&convo, 0, steps, name, book, caps, &mut out);
    Ok(out)
}

fn expand_from(
    convo: &Convo,
    index: usize,
    steps: Vec<ConvoStep>,
    name: String,
    book: &UtteranceBook,
    caps: &ScriptingCaps,
    out: &mut Vec<Convo>,
) {
    let Some((position, (utt_name, samples))) =
        (index..steps.len()).find_map(|i| utterance_of(&steps[i], book).map(|u| (i, u)))
    else {
        out.push(convo.with_steps(name, steps));
        return;
    };
    let picked = pick(&samples, caps, &convo.name);
    let width = picked.len().to_string().len();
    let mut steps = steps;
    let mut picked = picked.into_iter().enumerate().peekable();
    while let Some((n, sample)) = picked.next() {
        let next_name = if samples.len() == 1 {
            name.clone()
        } else {
            format!("{name}/{utt_name}-{}", postfix(n + 1, width, &sample, caps))
        };
        // The last sample takes the steps themselves; the others a copy each.
        let mut next = if picked.peek().is_some() {
            steps.clone()
        } else {
            std::mem::take(&mut steps)
        };
        next[position].text = Some(sample);
        expand_from(convo, position + 1, next, next_name, book, caps, out);
    }
}

/// The utterance a `#me` step refers to, with its samples formatted with the step's extra words.
fn utterance_of(step: &ConvoStep, book: &UtteranceBook) -> Option<(String, Vec<String>)> {
    if step.sender != Sender::Me {
        return None;
    }
    let text = step.text.as_deref().filter(|t| !t.is_empty())?;
    let (utterance, args) = book.resolve(text)?;
    let samples = utterance
        .samples
        .iter()
        .map(|s| {
            if args.is_empty() {
                s.clone()
            } else {
                format_sample(s, &args)
            }
        })
        .collect();
    Some((utterance.name.clone(), samples))
}

fn pick(samples: &[String], caps: &ScriptingCaps, seed_text: &str) -> Vec<String> {
    match caps.utt_expansion_mode {
        UttExpansionMode::First => samples.iter().take(1).cloned().collect(),
        UttExpansionMode::Random => {
            let mut order: Vec<usize> = (0..samples.len()).collect();
            let mut state = seed(seed_text);
            for i in (1..order.len()).rev() {
                state = xorshift(state);
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            order
                .into_iter()
                .take(caps.utt_expansion_random_count.max(1) as usize)
                .map(|i| samples[i].clone())
                .collect()
        }
        UttExpansionMode::All | UttExpansionMode::Index => samples.to_vec(),
    }
}

fn postfix(n: usize, width: usize, sample: &str, caps: &ScriptingCaps) -> String {
    let tag = format!("L{n:0width$}");
    match caps.utt_expansion_naming_mode {
        UttNamingMode::JustLineTag => tag,
        UttNamingMode::Utterance => {
            let max = caps.utt_expansion_naming_utterance_max as usize;
            let chars: Vec<char> = sample.chars().collect();
            let cut = if max > 3 && chars.len() > max {
                format!("{}...", chars[..max - 3].iter().collect::<String>())
            } else {
                sample.to_string()
            };
            format!("{tag}-{cut}")
        }
    }
}

/// `index` mode: test case n uses the n-th sample of every list (shorter lists wrap around).
fn expand_by_index(convo: &Convo, book: &UtteranceBook, caps: &ScriptingCaps) -> Vec<Convo> {
    let refs: Vec<(usize, String, Vec<String>)> = convo
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| utterance_of(s, book).map(|(n, samples)| (i, n, samples)))
        .collect();
    let count = refs.iter().map(|r| r.2.len()).max().unwrap_or(0);
    if count <= 1 {
        let mut only = convo.clone();
        for (i, _, samples) in &refs {
            only.steps[*i].text = samples.first().cloned();
        }
        return vec![only];
    }
    let width = count.to_string().len();
    (0..count)
        .map(|n| {
            let mut case = convo.clone();
            for (i, _, samples) in &refs {
                case.steps[*i].text = Some(samples[n % samples.len()].clone());
            }
            let (first_name, first_samples) = (&refs[0].1, &refs[0].2);
            let sample = &first_samples[n % first_samples.len()];
            case.name = format!(
                "{}/{first_name}-{}",
                convo.name,
                postfix(n + 1, width, sample, caps)
            );
            case
        })
        .collect()
}

fn seed(text: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike std's randomised hasher.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) | 1
}

fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
