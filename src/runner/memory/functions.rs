//! The scripting-memory functions (`$now`, `$date(pattern)`, `$random(5)`, `$cap(NAME)`...),
//! evaluated as botium-core does, with Node's `en-US` locale for the `toLocale…` ones and
//! moment.js patterns translated to chrono.
//!
//! Ours on purpose: `$cap` refuses secret capabilities and `$env` refuses variables holding a
//! secret, because whatever a function returns is spoken on the call and written to transcripts.
//! `$func` (JavaScript) and `$msg` (JSON of a bot message) cannot apply to a call.

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months};
use rand::Rng;

/// What the functions may read.
pub struct FunctionContext<'a> {
    /// The local time of the run.
    pub now: DateTime<FixedOffset>,
    /// The test case's name (`$testcasename`).
    pub test_case: &'a str,
    /// A capability's value as text, `None` when unset or secret.
    pub capability: &'a dyn Fn(&str) -> Result<Option<String>, String>,
    /// An environment variable, `None` when unset; `Err` when refused.
    pub env: &'a dyn Fn(&str) -> Result<Option<String>, String>,
    /// `SECURITY_ALLOW_UNSAFE` (Botium's default: true).
    pub allow_unsafe: bool,
}

/// The function names (callers sort them longest first, so `$date_add` is not read as `$date`).
pub fn names() -> &'static [&'static str] {
    const NAMES: &[&str] = &[
        "$date_subtract",
        "$testsessionname",
        "$day_of_month",
        "$day_of_week",
        "$testcasename",
        "$projectname",
        "$time_HH_MM",
        "$yesterday",
        "$timestamp",
        "$time_H_A",
        "$date_add",
        "$date_ISO",
        "$month_MM",
        "$random10",
        "$time_ISO",
        "$tomorrow",
        "$date_EN",
        "$date_DE",
        "$now_ISO",
        "$time_EN",
        "$time_DE",
        "$time_HH",
        "$now_EN",
        "$now_DE",
        "$random",
        "$uniqid",
        "$month",
        "$date",
        "$func",
        "$time",
        "$year",
        "$now",
        "$env",
        "$cap",
        "$msg",
    ];
    NAMES
}

/// Evaluates function `name` (with `$`) and its argument text, if it was called with `(...)`.
pub fn evaluate(name: &str, arg: Option<&str>, ctx: &FunctionContext) -> Result<String, String> {
    let now = ctx.now;
    let arg = arg.map(unquote).filter(|a| !a.is_empty());
    let us_date = || format!("{}/{}/{}", now.month(), now.day(), now.year());
    let us_time = || moment(now, "h:mm:ss A");
    Ok(match name {
        "$now" | "$now_EN" => format!("{}, {}", us_date(), us_time()),
        "$now_DE" => moment(now, "DD.MM.YYYY, HH:mm:ss"),
        "$now_ISO" => now
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        "$date" => match arg {
            Some(pattern) => moment(now, pattern),
            None => us_date(),
        },
        "$date_EN" => us_date(),
        // Botium's own pattern for "German" dates.
        "$date_DE" => moment(now, "YYYY.MM.DD"),
        "$date_ISO" => moment(now, "YYYY-MM-DD"),
        "$time" | "$time_EN" => us_time(),
        "$time_DE" | "$time_ISO" => moment(now, "HH:mm:ss"),
        "$time_HH_MM" => moment(now, "HH:mm"),
        "$time_HH" => moment(now, "HH"),
        "$time_H_A" => moment(now, "h A"),
        "$timestamp" => now.timestamp_millis().to_string(),
        "$year" => now.year().to_string(),
        "$month" => moment(now, "MMMM"),
        "$month_MM" => moment(now, "MM"),
        "$day_of_month" => now.day().to_string(),
        "$day_of_week" => moment(now, "dddd"),
        "$tomorrow" => dated(now + Duration::days(1), arg),
        "$yesterday" => dated(now - Duration::days(1), arg),
        "$date_add" | "$date_subtract" => {
            let args: Vec<&str> = arg.unwrap_or("").split(',').map(str::trim).collect();
            let (amount, unit) = match args.as_slice() {
                [amount, unit, ..] => (*amount, *unit),
                _ => return Err(format!("{name} needs (amount,unit[,pattern])")),
            };
            let amount: i64 = amount
                .parse()
                .map_err(|_| format!("{name}: amount \"{amount}\" is not a whole number"))?;
            let amount = if name == "$date_add" { amount } else { -amount };
            dated(shift(now, amount, unit)?, args.get(2).copied())
        }
        "$random" => {
            let length: usize = arg
                .ok_or("random function used without args!")?
                .parse()
                .map_err(|_| "$random needs a length, e.g. $random(5)".to_string())?;
            random_digits(length)
        }
        "$random10" => random_digits(10),
        "$uniqid" => uniqid(),
        "$testcasename" => ctx.test_case.to_string(),
        "$projectname" => (ctx.capability)("PROJECTNAME")?.unwrap_or_default(),
        "$testsessionname" => (ctx.capability)("TESTSESSIONNAME")?.unwrap_or_default(),
        "$cap" => {
            let name = arg.ok_or("cap function used without args!")?;
            (ctx.capability)(name)?.unwrap_or_default()
        }
        "$env" => {
            if !ctx.allow_unsafe {
                return Err(
                    "Security Error. Using unsafe scripting memory function $env is not allowed"
                        .into(),
                );
            }
            let name = arg.ok_or("env function used without args!")?;
            (ctx.env)(name)?.unwrap_or_default()
        }
        "$func" => return Err("$func runs JavaScript, which ivr-test does not run".into()),
        "$msg" => {
            return Err("$msg reads a bot message's JSON; a phone call carries only speech".into())
        }
        other => return Err(format!("{other} is not a scripting memory function")),
    })
}

/// Botium removes the quotes around function arguments.
fn unquote(arg: &str) -> &str {
    let arg = arg.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = arg.strip_prefix(quote).and_then(|a| a.strip_suffix(quote)) {
            return inner;
        }
    }
    arg
}

/// A date in `pattern`, or Node's `en-US` date without one.
fn dated(at: DateTime<FixedOffset>, pattern: Option<&str>) -> String {
    match pattern.filter(|p| !p.is_empty()) {
        Some(pattern) => moment(at, unquote(pattern)),
        None => format!("{}/{}/{}", at.month(), at.day(), at.year()),
    }
}

/// `now` moved by `amount` moment.js units.
fn shift(
    now: DateTime<FixedOffset>,
    amount: i64,
    unit: &str,
) -> Result<DateTime<FixedOffset>, String> {
    let months = |n: i64| -> Option<DateTime<FixedOffset>> {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n >= 0 {
            now.checked_add_months(m)
        } else {
            now.checked_sub_months(m)
        }
    };
    let unit = unit.trim_matches(['"', '\'']);
    let moved = match unit {
        "y" | "year" | "years" => amount.checked_mul(12).and_then(months),
        "Q" | "quarter" | "quarters" => amount.checked_mul(3).and_then(months),
        "M" | "month" | "months" => months(amount),
        "w" | "week" | "weeks" => Duration::try_weeks(amount).map(|d| now + d),
        "d" | "day" | "days" => Duration::try_days(amount).map(|d| now + d),
        "h" | "hour" | "hours" => Duration::try_hours(amount).map(|d| now + d),
        "m" | "minute" | "minutes" => Duration::try_minutes(amount).map(|d| now + d),
        "s" | "second" | "seconds" => Duration::try_seconds(amount).map(|d| now + d),
        _ => {
            return Err(format!(
                "unknown date unit \"{unit}\" (years, months, weeks, days, hours, minutes, seconds)"
            ))
        }
    };
    moved.ok_or_else(|| format!("{amount} {unit} is out of range"))
}

fn random_digits(length: usize) -> String {
    let mut rng = rand::rng();
    (0..length.min(1000))
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// A random UUID in the usual 8-4-4-4-12 form (Botium's is time-based; only uniqueness matters).
fn uniqid() -> String {
    let mut rng = rand::rng();
    let hex: String = (0..32)
        .map(|_| char::from_digit(rng.random_range(0..16u32), 16).unwrap_or('0'))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Formats `at` with a moment.js pattern (the common tokens; `[text]` is literal).
pub fn moment(at: DateTime<FixedOffset>, pattern: &str) -> String {
    // Longest tokens first, so `MMMM` is not read as two `MM`.
    const TOKENS: &[(&str, &str)] = &[
        ("YYYY", "%Y"),
        ("MMMM", "%B"),
        ("dddd", "%A"),
        ("MMM", "%b"),
        ("ddd", "%a"),
        ("YY", "%y"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("HH", "%H"),
        ("hh", "%I"),
        ("mm", "%M"),
        ("ss", "%S"),
        ("SSS", "%3f"),
        ("M", "%-m"),
        ("D", "%-d"),
        ("H", "%-H"),
        ("h", "%-I"),
        ("m", "%-M"),
        ("s", "%-S"),
        ("A", "%p"),
        ("a", "%P"),
        ("Z", "%:z"),
    ];
    let mut format = String::new();
    let mut rest = pattern;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some(end) = rest.find(']') {
                format.push_str(&rest[1..end].replace('%', "%%"));
                rest = &rest[end + 1..];
                continue;
            }
        }
        for (token, chrono) in TOKENS {
            if let Some(after) = rest.strip_prefix(token) {
                format.push_str(chrono);
                rest = after;
                continue 'outer;
            }
        }
        if c == '%' {
            format.push_str("%%");
        } else {
            format.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    at.format(&format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-07T15:04:05.250+01:00").expect("time")
    }

    fn eval(name: &str, arg: Option<&str>) -> Result<String, String> {
        let caps = |name: &str| -> Result<Option<String>, String> {
            match name {
                "PROJECTNAME" => Ok(Some("Acme IVR".into())),
                "TWILIO_IVR_AUTH_TOKEN" => Err("secret".into()),
                _ => Ok(None),
            }
        };
        let env = |name: &str| -> Result<Option<String>, String> {
            Ok((name == "HOME").then(|| "/home/ci".to_string()))
        };
        evaluate(
            name,
            arg,
            &FunctionContext {
                now: at(),
                test_case: "order status",
                capability: &caps,
                env: &env,
                allow_unsafe: true,
            },
        )
    }

    #[test]
    fn dates_and_times_as_botium_prints_them() {
        let cases = [
            ("$now", None, "3/7/2026, 3:04:05 PM"),
            ("$now_DE", None, "07.03.2026, 15:04:05"),
            ("$now_ISO", None, "2026-03-07T14:04:05.250Z"),
            ("$date", None, "3/7/2026"),
            (
                "$date",
                Some("YYYY-MM-DD [at] HH:mm"),
                "2026-03-07 at 15:04",
            ),
            ("$date", Some("'dddd, MMMM D'"), "Saturday, March 7"),
            ("$date_DE", None, "2026.03.07"),
            ("$date_ISO", None, "2026-03-07"),
            ("$time", None, "3:04:05 PM"),
            ("$time_DE", None, "15:04:05"),
            ("$time_HH_MM", None, "15:04"),
            ("$time_HH", None, "15"),
            ("$time_H_A", None, "3 PM"),
            ("$year", None, "2026"),
            ("$month", None, "March"),
            ("$month_MM", None, "03"),
            ("$day_of_month", None, "7"),
            ("$day_of_week", None, "Saturday"),
            ("$tomorrow", None, "3/8/2026"),
            ("$yesterday", Some("DD.MM."), "06.03."),
            ("$date_add", Some("1,month,YYYY-MM-DD"), "2026-04-07"),
            ("$date_subtract", Some("2, days"), "3/5/2026"),
            ("$timestamp", None, "1772892245250"),
        ];
        for (name, arg, expected) in cases {
            assert_eq!(eval(name, arg).as_deref(), Ok(expected), "{name}({arg:?})");
        }
    }

    #[test]
    fn random_and_unique_values_have_their_shape() {
        let digits = eval("$random", Some("6")).expect("random");
        assert!(digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(eval("$random10", None).expect("random10").len(), 10);
        let id = eval("$uniqid", None).expect("uniqid");
        assert_eq!(id.len(), 36);
        assert_ne!(id, eval("$uniqid", None).expect("uniqid"));
    }

    #[test]
    fn context_functions_and_their_refusals() {
        assert_eq!(eval("$testcasename", None).as_deref(), Ok("order status"));
        assert_eq!(eval("$projectname", None).as_deref(), Ok("Acme IVR"));
        assert_eq!(eval("$cap", Some("PROJECTNAME")).as_deref(), Ok("Acme IVR"));
        assert_eq!(eval("$env", Some("HOME")).as_deref(), Ok("/home/ci"));
        assert_eq!(eval("$env", Some("NOPE")).as_deref(), Ok(""));
        assert!(eval("$cap", Some("TWILIO_IVR_AUTH_TOKEN")).is_err());
        assert_eq!(
            eval("$random", None),
            Err("random function used without args!".into())
        );
        assert!(eval("$date_add", Some("1,fortnight"))
            .unwrap_err()
            .contains("fortnight"));
        assert!(eval("$func", Some("() => 1"))
            .unwrap_err()
            .contains("JavaScript"));
    }

    #[test]
    fn env_is_refused_when_unsafe_functions_are_off() {
        let none = |_: &str| -> Result<Option<String>, String> { Ok(None) };
        let ctx = FunctionContext {
            now: at(),
            test_case: "",
            capability: &none,
            env: &none,
            allow_unsafe: false,
        };
        assert!(evaluate("$env", Some("HOME"), &ctx)
            .unwrap_err()
            .contains("not allowed"));
    }
}
