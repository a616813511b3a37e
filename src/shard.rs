//! `--shard K/N`: which test cases of a suite one of N machines runs.
//!
//! Every shard loads the whole suite and computes the same assignment, so together the N
//! shards run each test case exactly once without talking to each other.
//!
//! - Without durations, by count: rendezvous hashing with bounded loads. Each test case ranks
//!   the shards by a fixed hash (SHA-256) of its name and the shard number; cases are placed
//!   one by one, in the order of a hash of their name, into their highest-ranked shard that
//!   still has room (each shard takes floor(n/N), and n mod N of them one more, first come). Adding a test case moves few
//!   others, and the counts stay within one of each other.
//! - With durations (`--shard-durations REPORT.json`): longest processing time first. Cases
//!   are sorted by duration, longest first (ties by name), and each goes to the shard with the
//!   least total so far (ties: the lowest shard). Cases the report does not know get the mean
//!   of the known durations; with none known, the assignment is by count.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// One shard of N: `index` from 1 to `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// How many shards in all.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The positions (into `names`) of the test cases this shard runs, ascending.
    pub fn select(
        &self,
        names: &[&str],
        durations: Option<&BTreeMap<String, Duration>>,
    ) -> Vec<usize> {
        assign(names, self.count, durations)
            .into_iter()
            .enumerate()
            .filter(|(_, shard)| *shard == self.index - 1)
            .map(|(position, _)| position)
            .collect()
    }
}

/// The shard (from 0) of each test case, by name; see the module documentation.
pub fn assign(
    names: &[&str],
    count: usize,
    durations: Option<&BTreeMap<String, Duration>>,
) -> Vec<usize> {
    let count = count.max(1);
    match durations {
        Some(known) if names.iter().any(|n| known.contains_key(*n)) => {
            by_duration(names, count, known)
        }
        _ => by_count(names, count),
    }
}

/// A fixed 64-bit hash of `parts` (never std's randomised hasher).
fn hash(parts: &[&[u8]]) -> u64 {
    let mut sha = Sha256::new();
    for part in parts {
        sha.update((part.len() as u64).to_le_bytes());
        sha.update(part);
    }
    let digest = sha.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Rendezvous hashing with bounded loads.
fn by_count(names: &[&str], count: usize) -> Vec<usize> {
    // Shards take floor(n/N) each, and `extra` of them one more: the counts differ by one at
    // most.
    let (base, mut extra) = (names.len() / count, names.len() % count);
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| (hash(&[b"order", names[i].as_bytes()]), names[i]));
    let mut load = vec![0usize; count];
    let mut shard_of = vec![0usize; names.len()];
    for i in order {
        let mut ranked: Vec<usize> = (0..count).collect();
        ranked.sort_by_key(|&k| {
            std::cmp::Reverse(hash(&[
                b"rank",
                names[i].as_bytes(),
                &(k as u64).to_le_bytes(),
            ]))
        });
        // There is always room somewhere: the capacities add up to n.
        let shard = ranked
            .into_iter()
            .find(|&k| load[k] < base || (load[k] == base && extra > 0))
            .unwrap_or(0);
        if load[shard] == base {
            extra = extra.saturating_sub(1);
        }
        load[shard] += 1;
        shard_of[i] = shard;
    }
    shard_of
}

/// Longest processing time first; unknown cases get the mean of the known.
fn by_duration(names: &[&str], count: usize, known: &BTreeMap<String, Duration>) -> Vec<usize> {
    let found: Vec<Duration> = names
        .iter()
        .filter_map(|n| known.get(*n).copied())
        .collect();
    let mean = found.iter().sum::<Duration>() / (found.len().max(1) as u32);
    let mut order: Vec<(Duration, &str, usize)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (known.get(*n).copied().unwrap_or(mean), *n, i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2)));
    let mut load = vec![Duration::ZERO; count];
    let mut shard_of = vec![0usize; names.len()];
    for (duration, _, i) in order {
        let shard = (0..count).min_by_key(|&k| (load[k], k)).unwrap_or(0);
        load[shard] += duration;
        shard_of[i] = shard;
    }
    shard_of
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("case {i:03}")).collect()
    }

    fn refs(names: &[String]) -> Vec<&str> {
        names.iter().map(String::as_str).collect()
    }

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "2", "a/4", "2/0", "", "-1/4", "2/4/6"] {
            let err = bad.parse::<Shard>().expect_err(bad);
            assert!(err.starts_with("--shard ") && err.contains("K/N"), "{err}");
        }
        assert_eq!(Shard { index: 3, count: 4 }.to_string(), "3/4");
    }

    #[test]
    fn each_case_is_in_exactly_one_shard_and_counts_are_balanced() {
        for (n, count) in [(20, 4), (21, 4), (3, 4), (0, 2), (7, 1), (100, 7)] {
            let all = names(n);
            let names = refs(&all);
            let mut seen = vec![0; n];
            let mut sizes = Vec::new();
            for index in 1..=count {
                let mine = Shard { index, count }.select(&names, None);
                sizes.push(mine.len());
                for position in mine {
                    seen[position] += 1;
                }
            }
            assert!(seen.iter().all(|&s| s == 1), "{n}/{count}: {seen:?}");
            let (min, max) = (sizes.iter().min(), sizes.iter().max());
            assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{sizes:?}");
        }
    }

    #[test]
    fn the_assignment_is_deterministic_and_independent_of_input_order() {
        let all = names(30);
        let names = refs(&all);
        assert_eq!(assign(&names, 4, None), assign(&names, 4, None));
        let mut reversed = names.clone();
        reversed.reverse();
        let forward = assign(&names, 4, None);
        let backward = assign(&reversed, 4, None);
        for (i, shard) in forward.iter().enumerate() {
            assert_eq!(backward[names.len() - 1 - i], *shard);
        }
    }

    #[test]
    fn adding_a_case_moves_few_others() {
        let before_names = names(40);
        let mut after_names = before_names.clone();
        after_names.push("a brand new case".into());
        let before = assign(&refs(&before_names), 4, None);
        let after = assign(&refs(&after_names), 4, None);
        let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert!(moved <= 4, "{moved} of 40 moved");
    }

    #[test]
    fn durations_balance_the_load_longest_first() {
        let all = names(6);
        let names = refs(&all);
        let secs = [60, 50, 40, 30, 20, 10];
        let known: BTreeMap<String, Duration> = all
            .iter()
            .zip(secs)
            .map(|(n, s)| (n.clone(), Duration::from_secs(s)))
            .collect();
        // LPT: 60 -> A, 50 -> B, 40 -> B (90), 30 -> A (90), 20 -> A, 10 -> B.
        assert_eq!(assign(&names, 2, Some(&known)), [0, 1, 1, 0, 0, 1]);
        let loads: Vec<u64> = (0..2)
            .map(|k| {
                assign(&names, 2, Some(&known))
                    .iter()
                    .zip(secs)
                    .filter(|(s, _)| **s == k)
                    .map(|(_, d)| d)
                    .sum()
            })
            .collect();
        assert_eq!(loads, [110, 100]);
    }

    #[test]
    fn unknown_cases_get_the_mean_and_no_known_durations_means_by_count() {
        let all = names(3);
        let names = refs(&all);
        let known: BTreeMap<String, Duration> = [
            (all[0].clone(), Duration::from_secs(100)),
            (all[1].clone(), Duration::from_secs(20)),
        ]
        .into();
        // Unknown case 2 gets 60 s: 100 -> A, 60 -> B, 20 -> B.
        assert_eq!(assign(&names, 2, Some(&known)), [0, 1, 1]);
        let other: BTreeMap<String, Duration> =
            [("elsewhere".to_string(), Duration::from_secs(5))].into();
        assert_eq!(assign(&names, 2, Some(&other)), assign(&names, 2, None));
    }
}
