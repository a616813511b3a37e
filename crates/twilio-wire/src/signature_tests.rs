//! Every vector of `shared/reference/twilio.md` §6.3 and §6.4, each its own assertion.

use super::*;

const TOKEN: &str = "12345";
const REQUEST_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const DEFAULT_SIGNATURE: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn default_params() -> Vec<(String, String)> {
    params(&[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+14158675309"),
        ("Digits", "1234"),
        ("From", "+14158675309"),
        ("To", "+18005551212"),
    ])
}

// §6.3 default case.

#[test]
fn default_case_computes() {
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &default_params()),
        DEFAULT_SIGNATURE
    );
}

#[test]
fn default_case_validates() {
    assert!(validate(
        TOKEN,
        REQUEST_URL,
        &default_params(),
        DEFAULT_SIGNATURE
    ));
}

#[test]
fn params_order_does_not_matter() {
    let mut reversed = default_params();
    reversed.reverse();
    assert_eq!(compute(TOKEN, REQUEST_URL, &reversed), DEFAULT_SIGNATURE);
}

// §6.3 port cases.

#[test]
fn https_request_with_port_matches_the_portless_signature() {
    let url = "https://mycompany.com:1234/myapp.php?foo=1&bar=2";
    assert!(validate(TOKEN, url, &default_params(), DEFAULT_SIGNATURE));
}

#[test]
fn http_with_port_kept_computes() {
    let url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
    );
}

#[test]
fn http_with_port_kept_validates() {
    let url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
    assert!(validate(
        TOKEN,
        url,
        &default_params(),
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
    ));
}

#[test]
fn https_443_computes() {
    let url = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "kvajT1Ptam85bY51eRf/AJRuM3w="
    );
}

#[test]
fn https_443_signature_validates_for_a_portless_request() {
    assert!(validate(
        TOKEN,
        REQUEST_URL,
        &default_params(),
        "kvajT1Ptam85bY51eRf/AJRuM3w="
    ));
}

#[test]
fn http_80_computes() {
    let url = "http://mycompany.com:80/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "0ZXoZLH/DfblKGATFgpif+LLRf4="
    );
}

#[test]
fn http_80_signature_validates_for_a_portless_request() {
    let url = "http://mycompany.com/myapp.php?foo=1&bar=2";
    assert!(validate(
        TOKEN,
        url,
        &default_params(),
        "0ZXoZLH/DfblKGATFgpif+LLRf4="
    ));
}

#[test]
fn http_80_request_validates_the_portless_signature() {
    // The WHATWG form drops `:80`, and the raw form minus its port is the same string.
    let url = "http://mycompany.com:80/myapp.php?foo=1&bar=2";
    let portless = compute(
        TOKEN,
        "http://mycompany.com/myapp.php?foo=1&bar=2",
        &default_params(),
    );
    assert!(validate(TOKEN, url, &default_params(), &portless));
}

// §6.3 userinfo cases.

#[test]
fn credentials_compute() {
    let url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "CukzLTc1tT5dXEDIHm/tKBanW10="
    );
}

#[test]
fn credentials_validate() {
    let url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    assert!(validate(
        TOKEN,
        url,
        &default_params(),
        "CukzLTc1tT5dXEDIHm/tKBanW10="
    ));
}

#[test]
fn username_only_computes() {
    let url = "https://user@mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "2YRLlVAflCqxaNicjMpJcSTgzSs="
    );
}

#[test]
fn username_only_validates() {
    let url = "https://user@mycompany.com/myapp.php?foo=1&bar=2";
    assert!(validate(
        TOKEN,
        url,
        &default_params(),
        "2YRLlVAflCqxaNicjMpJcSTgzSs="
    ));
}

#[test]
fn credentials_with_443_compute() {
    let url = "https://user:pass@mycompany.com:443/myapp.php?foo=1&bar=2";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="
    );
}

#[test]
fn credentials_with_443_validate_for_a_portless_request() {
    let url = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2";
    assert!(validate(
        TOKEN,
        url,
        &default_params(),
        "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="
    ));
}

// §6.3 special characters.

const SPECIAL_REQUEST: &str = "https://mycompany.com/myapp.php?foo=1&bar=2&Body=It's+amazing";

#[test]
fn special_characters_current_computes_over_the_whatwg_form() {
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2&Body=It%27s+amazing";
    assert_eq!(
        compute(TOKEN, url, &default_params()),
        "TfZzewPq8wqrGlMfyAud8+/IvJ0="
    );
}

#[test]
fn special_characters_current_validates() {
    assert!(validate(
        TOKEN,
        SPECIAL_REQUEST,
        &default_params(),
        "TfZzewPq8wqrGlMfyAud8+/IvJ0="
    ));
}

#[test]
fn special_characters_pre_2024_computes_over_the_raw_form() {
    assert_eq!(
        compute(TOKEN, SPECIAL_REQUEST, &default_params()),
        "dsq4Ehbj6cs+KdTkpF5sSSplOWw="
    );
}

#[test]
fn special_characters_pre_2024_validates() {
    assert!(validate(
        TOKEN,
        SPECIAL_REQUEST,
        &default_params(),
        "dsq4Ehbj6cs+KdTkpF5sSSplOWw="
    ));
}

// §6.3 arrays and duplicates.

#[test]
fn array_values_in_either_order() {
    let a = params(&[
        ("MessagingBinding.Address", "+1325xxxxxxx"),
        ("MessagingBinding.Address", "+1415xxxxxxx"),
    ]);
    let mut b = a.clone();
    b.reverse();
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &a),
        "83O6e2vORAoJHUNzJjDWN1jz+BA="
    );
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &b),
        "83O6e2vORAoJHUNzJjDWN1jz+BA="
    );
    assert!(validate(
        TOKEN,
        REQUEST_URL,
        &b,
        "83O6e2vORAoJHUNzJjDWN1jz+BA="
    ));
}

#[test]
fn duplicates_node_form() {
    let p = params(&[
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
        ("Digits", "1234"),
    ]);
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &p),
        "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    );
    assert!(validate(
        TOKEN,
        REQUEST_URL,
        &p,
        "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    ));
}

#[test]
fn duplicates_python_form() {
    let p = params(&[
        ("Sid", "CA123"),
        ("SidAccount", "AC123"),
        ("Digits", "5678"),
        ("Digits", "1234"),
    ]);
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &p),
        "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    );
}

// §6.3 body hash.

const JSON_BODY: &[u8] = br#"{"property": "value", "boolean": true}"#;
const JSON_BODY_HASH: &str = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const EMPTY_BODY_HASH: &str = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

#[test]
fn body_hash_is_lowercase_hex_sha256() {
    assert_eq!(body_sha256(JSON_BODY), JSON_BODY_HASH);
    assert_eq!(body_sha256(b"{}"), EMPTY_BODY_HASH);
}

#[test]
fn body_hash_appended_to_request_url() {
    let url = format!("{REQUEST_URL}&bodySHA256={JSON_BODY_HASH}");
    assert_eq!(compute(TOKEN, &url, &[]), "a9nBmqA0ju/hNViExpshrM61xv4=");
    assert!(validate_with_body(
        TOKEN,
        &url,
        JSON_BODY,
        "a9nBmqA0ju/hNViExpshrM61xv4="
    ));
}

#[test]
fn body_hash_as_the_only_query() {
    let url = format!("https://mycompany.com/myapp.php?bodySHA256={JSON_BODY_HASH}");
    assert_eq!(compute(TOKEN, &url, &[]), "y77kIzt2vzLz71DgmJGsen2scGs=");
    assert!(validate_with_body(
        TOKEN,
        &url,
        JSON_BODY,
        "y77kIzt2vzLz71DgmJGsen2scGs="
    ));
}

#[test]
fn empty_body_signature_matches_only_the_443_candidate() {
    let url = format!("{REQUEST_URL}&bodySHA256={EMPTY_BODY_HASH}");
    let with_port =
        format!("https://mycompany.com:443/myapp.php?foo=1&bar=2&bodySHA256={EMPTY_BODY_HASH}");
    assert_eq!(compute(TOKEN, &url, &[]), "rw/jVviOgicj2+kHZULvebnA4ag=");
    assert_eq!(
        compute(TOKEN, &with_port, &[]),
        "Ldidvp12m26NI7eqEvxnEpkd9Hc="
    );
    assert!(validate_with_body(
        TOKEN,
        &url,
        b"{}",
        "Ldidvp12m26NI7eqEvxnEpkd9Hc="
    ));
}

#[test]
fn body_that_does_not_match_its_hash_is_rejected() {
    let url = format!("{REQUEST_URL}&bodySHA256={JSON_BODY_HASH}");
    assert!(!validate_with_body(
        TOKEN,
        &url,
        b"{\"property\": \"other\"}",
        "a9nBmqA0ju/hNViExpshrM61xv4="
    ));
}

#[test]
fn body_without_a_hash_parameter_is_rejected() {
    let signature = compute(TOKEN, REQUEST_URL, &[]);
    assert!(!validate_with_body(TOKEN, REQUEST_URL, b"{}", &signature));
}

#[test]
fn body_with_a_bad_signature_is_rejected() {
    let url = format!("{REQUEST_URL}&bodySHA256={JSON_BODY_HASH}");
    assert!(!validate_with_body(
        TOKEN,
        &url,
        JSON_BODY,
        DEFAULT_SIGNATURE
    ));
}

// §6.4 additional vectors.

#[test]
fn gather_callback_on_localhost() {
    let p = params(&[
        ("AccountSid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
        ("CallStatus", "in-progress"),
        ("Called", "+15005550006"),
        ("Caller", "+15551234567"),
        ("Confidence", "0.92"),
        ("Direction", "outbound-api"),
        ("From", "+15551234567"),
        ("SpeechResult", "Check my balance."),
        ("To", "+15005550006"),
    ]);
    let url = "http://127.0.0.1:8080/gather?step=2";
    assert_eq!(
        compute("test_auth_token", url, &p),
        "kq39tGwXuBETuljOslayoTwtNrg="
    );
    assert!(validate(
        "test_auth_token",
        url,
        &p,
        "kq39tGwXuBETuljOslayoTwtNrg="
    ));
}

#[test]
fn get_signs_the_url_alone() {
    let url = "https://example.com/voice?CallSid=CA123&From=%2B15551234567";
    assert_eq!(
        compute("test_auth_token", url, &[]),
        "PjkusGRmVUjJGAgubKngCAsO7cQ="
    );
    assert!(validate(
        "test_auth_token",
        url,
        &[],
        "PjkusGRmVUjJGAgubKngCAsO7cQ="
    ));
}

#[test]
fn repeated_status_callback_events_sort_by_value() {
    let p = params(&[
        ("StatusCallbackEvent", "ringing"),
        ("StatusCallbackEvent", "initiated"),
    ]);
    assert_eq!(
        compute(TOKEN, REQUEST_URL, &p),
        "GMFygNGjtYhZgWnECnn9N63CtlY="
    );
}

// Rejections.

#[test]
fn wrong_signature_is_rejected() {
    assert!(!validate(
        TOKEN,
        REQUEST_URL,
        &default_params(),
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
    ));
}

#[test]
fn wrong_token_is_rejected() {
    assert!(!validate(
        "54321",
        REQUEST_URL,
        &default_params(),
        DEFAULT_SIGNATURE
    ));
}

#[test]
fn tampered_param_is_rejected() {
    let mut p = default_params();
    p[2].1 = "9999".into();
    assert!(!validate(TOKEN, REQUEST_URL, &p, DEFAULT_SIGNATURE));
}

#[test]
fn extra_param_is_rejected() {
    let mut p = default_params();
    p.push(("Extra".into(), "1".into()));
    assert!(!validate(TOKEN, REQUEST_URL, &p, DEFAULT_SIGNATURE));
}

#[test]
fn malformed_signature_is_rejected() {
    assert!(!validate(
        TOKEN,
        REQUEST_URL,
        &default_params(),
        "not base64!"
    ));
    assert!(!validate(TOKEN, REQUEST_URL, &default_params(), ""));
}

#[test]
fn other_path_is_rejected() {
    let url = "https://mycompany.com/other.php?foo=1&bar=2";
    assert!(!validate(TOKEN, url, &default_params(), DEFAULT_SIGNATURE));
}

// URL spellings.

#[test]
fn legacy_querystring_groups_repeats_and_puts_index_keys_first() {
    assert_eq!(
        legacy_querystring("b=2&a=1&b=3&10=x&2=y"),
        "2=y&10=x&b=2&b=3&a=1"
    );
}

#[test]
fn legacy_querystring_escapes_as_node() {
    assert_eq!(
        legacy_querystring("Body=It%27s+amazing"),
        "Body=It's%20amazing"
    );
    assert_eq!(legacy_querystring("k=%E2%82%AC&flag"), "k=%E2%82%AC&flag=");
}

#[test]
fn legacy_query_candidate_is_accepted() {
    let url = "https://example.com/x?b=2&a=1&b=3";
    let signed = "https://example.com/x?b=2&b=3&a=1";
    let signature = compute(TOKEN, signed, &[]);
    assert!(validate(TOKEN, url, &[], &signature));
}

#[test]
fn port_variants_of_ipv6_hosts() {
    assert_eq!(
        port_variants("http://[::1]:8080/x"),
        vec!["http://[::1]:8080/x", "http://[::1]/x"]
    );
    assert_eq!(
        port_variants("https://u:p@[::1]/x?y=1"),
        vec!["https://u:p@[::1]/x?y=1", "https://u:p@[::1]:443/x?y=1"]
    );
}

#[test]
fn candidates_do_not_repeat() {
    let all = candidate_urls(REQUEST_URL);
    assert_eq!(
        all,
        vec![
            REQUEST_URL.to_string(),
            "https://mycompany.com:443/myapp.php?foo=1&bar=2".to_string(),
        ]
    );
}

proptest::proptest! {
    #[test]
    fn validate_never_panics_and_accepts_its_own_signature(
        url in "(https?://)?[a-z@:\\[\\]0-9.]{0,12}(:[0-9]{0,5})?(/[a-zA-Z%'?&=+#]{0,12})?",
        name in "[A-Za-z]{1,6}",
        value in "\\PC{0,8}",
    ) {
        let p = vec![(name, value)];
        let signature = compute(TOKEN, &url, &p);
        proptest::prop_assert!(validate(TOKEN, &url, &p, &signature));
        proptest::prop_assert!(!validate("other", &url, &p, &signature));
    }
}
