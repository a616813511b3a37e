//! The generated suite the parse benchmark reads: 5,000 convo files shaped like the project's
//! `convos/` and the Twilio IVR connector's samples, plus the partials and utterance lists they
//! use. Deterministic: the same files, byte for byte, on every run.

use std::path::Path;

/// How many convo files the suite has.
pub const CONVOS: usize = 5_000;
/// How many folders they are spread over.
const FOLDERS: usize = 50;

const COMPANIES: [&str; 5] = [
    "Acme Energy",
    "Northwind Telecom",
    "Contoso Bank",
    "Globex Insurance",
    "Initech Water",
];

/// An utterance list: its name, the caller's phrasings, and the keypad digit for the same choice.
struct Choice {
    list: &'static str,
    phrasings: &'static [&'static str],
    digit: u8,
    prompt: &'static str,
}

const CHOICES: [Choice; 6] = [
    Choice {
        list: "UTT_BALANCE",
        phrasings: &["balance", "what is my balance", "how much do I owe"],
        digit: 1,
        prompt: "Please enter your six digit account number*",
    },
    Choice {
        list: "UTT_PAYMENT",
        phrasings: &["make a payment", "pay my bill", "payment"],
        digit: 2,
        prompt: "To pay by card*",
    },
    Choice {
        list: "UTT_OUTAGE",
        phrasings: &["report an outage", "my power is out"],
        digit: 3,
        prompt: "We are sorry for the interruption*",
    },
    Choice {
        list: "UTT_MOVING",
        phrasings: &["I am moving", "move my service", "new address"],
        digit: 4,
        prompt: "When would you like your service to start*",
    },
    Choice {
        list: "UTT_METER",
        phrasings: &["meter reading", "submit a reading"],
        digit: 5,
        prompt: "Please enter the reading on your meter followed by the hash key",
    },
    Choice {
        list: "UTT_AGENT",
        phrasings: &["agent", "talk to a person", "representative", "operator"],
        digit: 0,
        prompt: "Please hold while I connect you to an agent.",
    },
];

/// The text of convo file `i`: one of six shapes of IVR test, varied by company and menu choice.
pub fn convo_text(i: usize) -> String {
    let company = COMPANIES[i % COMPANIES.len()];
    let choice = &CHOICES[(i / COMPANIES.len()) % CHOICES.len()];
    let account = 100_000 + (i * 7919) % 900_000;
    let greeting = format!("Thank you for calling {company}");
    let menu = format!(
        "{greeting}. For your balance say balance or press 1, for payments press 2, for outages press 3."
    );
    let name = format!("{} {i:05}", choice.list[4..].to_lowercase());
    match i % 6 {
        0 => format!(
            "{name} by keypad\n\n#bot\n{menu}\n\n#me\nBUTTON {}\n\n#bot\n{}\n\n#me\nBUTTON {account}#\n\n\
#bot\nAccount {}. Your balance is *\n",
            choice.digit,
            choice.prompt,
            spaced_digits(account),
        ),
        1 => format!(
            "{name} by speech\nThe caller says what they want; every phrasing is tried.\n\n\
#bot\n{greeting}*\n\n#me\n{}\n\n#bot\n{}\n\n#include goodbye\n",
            choice.list, choice.prompt,
        ),
        2 => format!(
            "{name} with a text message\n\n#bot\n{greeting}\n\n#me\ntext message please\n\n\
#bot\nWe have sent our address to your phone*\n\n#end\nCHECKTWILIOSMS {} Main Street\n",
            1 + i % 400,
        ),
        3 => format!(
            "{name} transferred\n\n#bot\n{menu}\n\n#me\nBUTTON 0\n\n\
#bot\nPlease hold while I connect you to an agent.\n\n#end\nPAUSE_ASSERTER 2000\n\
CHECKTWILIOCALL transferredTo=+1555123{:04}\n",
            i % 10_000,
        ),
        4 => format!(
            "{name} no input\nSilence is reprompted, then the caller answers.\n\n\
#bot\n{greeting}*For your balance*\n\n#bot\nSorry, I did not get that*\n\n#me\n{}\n\n\
#bot\nTEXT_CONTAINS_ANY_IC account|number|hold\n",
            choice.list,
        ),
        _ => format!(
            "{name} account first\n\n#begin\nPAUSE 500\n\n#bot\n{greeting}*\n\n\
#me\nBUTTON WW{account}#\n\n#bot\n?Please wait\n?TEXT_CONTAINS_ANY_IC wait|moment\n\n\
#bot\n!Sorry, I did not get that\n\n#bot\nAccount {}*\n\n\
#end\nCHECKTWILIOCALL status=completed|duration<=120\n",
            spaced_digits(account),
        ),
    }
}

/// Digits read out one by one, as a text-to-speech prompt says an account number.
fn spaced_digits(n: usize) -> String {
    let digits: Vec<String> = n.to_string().chars().map(String::from).collect();
    digits.join(" ")
}

/// Writes the suite under `dir` and returns its size in bytes.
pub fn write_suite(dir: &Path) -> std::io::Result<u64> {
    let mut bytes = 0;
    let mut write = |rel: String, text: &str| -> std::io::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        bytes += text.len() as u64;
        std::fs::write(path, text)
    };
    for i in 0..CONVOS {
        let folder = format!("line{:02}", i % FOLDERS);
        write(format!("{folder}/case{i:05}.convo.txt"), &convo_text(i))?;
    }
    write(
        "partials/goodbye.pconvo.txt".into(),
        "goodbye\n\n#me\nthat is all\n\n#bot\nThank you for calling. Goodbye!\n",
    )?;
    for choice in &CHOICES {
        let text = format!("{}\n{}\n", choice.list, choice.phrasings.join("\n"));
        write(
            format!("utterances/{}.utterances.txt", choice.list.to_lowercase()),
            &text,
        )?;
    }
    Ok(bytes)
}
