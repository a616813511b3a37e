//! What to do about the Twilio REST errors a user meets when placing IVR test calls.
//!
//! Twilio's messages say what went wrong ("Account not authorized to call +44..."), rarely
//! where to fix it; these hints name the setting, the console page or the ivr-test option.
//! Codes and meanings: `twilio.md` §3.2.

/// An actionable fix for Twilio error `code`, or `None` for codes without a known fix.
///
/// `429` (a bare HTTP status some proxies return without a Twilio body) is treated as 20429.
pub fn explain(code: u32) -> Option<&'static str> {
    Some(match code {
        20003 => {
            "Twilio rejected the credentials: check that TWILIO_IVR_ACCOUNT_SID is the account SID \
             (AC...) and TWILIO_IVR_AUTH_TOKEN its current auth token (Console > Account > API \
             keys & tokens), and that the API base URL belongs to the same provider."
        }
        20404 => {
            "The resource does not exist for this account: check TWILIO_IVR_ACCOUNT_SID (the \
             account in the URL must own the call or message) and the API base URL."
        }
        21201 | 21211 | 21217 => {
            "The 'To' number is not valid: use E.164 format, a '+', the country code and the \
             number without spaces or dashes, e.g. +14155551212 (TWILIO_IVR_TO)."
        }
        21212 | 21213 => {
            "The 'From' number (caller ID) is missing or invalid: set TWILIO_IVR_FROM to a phone \
             number in E.164 format, e.g. +14155551212, that your account owns or has verified."
        }
        21210 => {
            "The 'From' number is not a caller ID of this account: buy the number in the Twilio \
             Console (Phone Numbers > Buy a number) or verify it under Phone Numbers > Verified \
             Caller IDs, then use it as TWILIO_IVR_FROM."
        }
        21214 => {
            "Twilio cannot route a call to the 'To' number: check that the number exists and \
             accepts calls from your carrier region, or try another number."
        }
        21215 => {
            "Calls to this country are not enabled: enable the destination country in the Twilio \
             Console under Voice > Settings > Geo permissions, then retry."
        }
        21216 => {
            "Twilio blocked the call (high-risk or regulated destination, or a missing Primary \
             Customer Profile for +1 numbers): call another number or ask Twilio support to \
             review the block."
        }
        21219 => {
            "Trial accounts may only call verified numbers: verify the 'To' number under Phone \
             Numbers > Verified Caller IDs, or upgrade the account."
        }
        21220 => {
            "The call is not in progress any more (it already ended), so it cannot be redirected \
             or hung up."
        }
        20429 | 429 => {
            "Too many requests to Twilio: lower --parallel or the calls per second, or ask Twilio \
             to raise the account's limits."
        }
        21205 => {
            "A webhook URL is invalid: the public URL (TWILIO_IVR_PUBLICURL) must be an absolute \
             http(s) URL that Twilio can reach from the internet, e.g. an https tunnel to this \
             machine."
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_has_a_hint_that_names_a_fix() {
        let codes = [
            20003, 20404, 21201, 21205, 21210, 21211, 21212, 21213, 21214, 21215, 21216, 21217,
            21219, 21220, 20429, 429,
        ];
        for code in codes {
            let hint = explain(code).unwrap_or_else(|| panic!("no hint for {code}"));
            assert!(hint.len() > 40, "{code}: {hint}");
        }
        assert!(explain(20003).unwrap().contains("TWILIO_IVR_AUTH_TOKEN"));
        assert!(explain(21211).unwrap().contains("+14155551212"));
        assert!(explain(21210).unwrap().contains("Verified Caller IDs"));
        assert!(explain(21215).unwrap().contains("Geo permissions"));
        assert!(explain(21219).unwrap().contains("verify"));
        assert!(explain(20429).unwrap().contains("--parallel"));
        assert!(explain(21205).unwrap().contains("reach"));
    }

    #[test]
    fn unknown_codes_have_no_hint() {
        assert_eq!(explain(0), None);
        assert_eq!(explain(11200), None);
        assert_eq!(explain(99999), None);
    }
}
