//! URL handling, encoding and formatting, without a server.

use super::*;
use crate::explain::explain;

fn base(url: &str) -> ApiBase {
    ApiBase::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

#[test]
fn account_urls_keep_a_path_prefix_and_drop_a_version_suffix() {
    let twilio = base(DEFAULT_BASE_URL);
    assert_eq!(twilio.prefix, "");
    assert_eq!(
        twilio.account_url("AC1", &["Calls.json"]).as_str(),
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json"
    );
    let expected = "https://x.signalwire.com/api/laml/2010-04-01/Accounts/p-1/Calls/CA9.json";
    for given in [
        "https://x.signalwire.com/api/laml",
        "https://x.signalwire.com/api/laml/",
        "https://x.signalwire.com/api/laml/2010-04-01",
        " https://x.signalwire.com/api/laml/2010-04-01/ ",
    ] {
        let signalwire = base(given);
        assert_eq!(signalwire.prefix, "/api/laml", "{given}");
        assert_eq!(
            signalwire
                .account_url("p-1", &["Calls", "CA9.json"])
                .as_str(),
            expected,
            "{given}"
        );
    }
    assert_eq!(
        base("http://127.0.0.1:8080/")
            .account_url("AC1", &["Messages.json"])
            .as_str(),
        "http://127.0.0.1:8080/2010-04-01/Accounts/AC1/Messages.json"
    );
}

#[test]
fn a_sid_cannot_change_the_path() {
    let client = TwilioClient::new(DEFAULT_BASE_URL, "AC1", &Secret::new("t")).unwrap();
    let url = client.call_url("../../Other/x?y#z").unwrap();
    assert_eq!(
        url.as_str(),
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls/..%2F..%2FOther%2Fx%3Fy%23z.json"
    );
    assert!(matches!(
        client.call_url(" "),
        Err(ClientError::InvalidArgument(_))
    ));
}

#[test]
fn next_page_uris_join_with_the_origin() {
    let twilio = base(DEFAULT_BASE_URL);
    let uri = "/2010-04-01/Accounts/AC1/Messages.json?To=%2B1&PageSize=2&Page=1&PageToken=PA9";
    assert_eq!(
        twilio.join(uri).unwrap().as_str(),
        format!("https://api.twilio.com{uri}")
    );

    // SignalWire's URIs already carry the prefix: it must not be doubled.
    let signalwire = base("https://x.signalwire.com/api/laml");
    let uri = "/api/laml/2010-04-01/Accounts/p-1/Messages.json?Page=1&PageToken=PA9";
    assert_eq!(
        signalwire.join(uri).unwrap().as_str(),
        format!("https://x.signalwire.com{uri}")
    );
    // Twilio's own URIs seen through a proxy at a prefix get the prefix.
    let proxy = base("https://proxy.example/twilio");
    assert_eq!(
        proxy
            .join("/2010-04-01/Accounts/AC1/Messages.json?Page=1")
            .unwrap()
            .as_str(),
        "https://proxy.example/twilio/2010-04-01/Accounts/AC1/Messages.json?Page=1"
    );
    // A prefix that is only the start of a segment is not the prefix.
    assert_eq!(
        signalwire.join("/api/lamlx/y").unwrap().as_str(),
        "https://x.signalwire.com/api/laml/api/lamlx/y"
    );

    let same_origin = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?Page=1";
    assert_eq!(twilio.join(same_origin).unwrap().as_str(), same_origin);
    for bad in [
        "https://evil.example/2010-04-01/Accounts/AC1/Messages.json",
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
        "//evil.example/x",
        "Messages.json?Page=1",
    ] {
        assert!(twilio.join(bad).is_err(), "{bad}");
    }
}

#[test]
fn bad_base_urls_and_credentials_are_rejected() {
    for (url, why) in [
        ("api.twilio.com", "invalid API base URL"),
        ("ftp://api.twilio.com", "http"),
        ("https://api.twilio.com?x=1", "query"),
        ("https://api.twilio.com/#x", "fragment"),
    ] {
        let e = TwilioClient::new(url, "AC1", &Secret::new("t")).unwrap_err();
        assert!(matches!(e, ClientError::InvalidArgument(_)), "{url}");
        assert!(e.to_string().contains(why), "{url}: {e}");
    }
    let e = TwilioClient::new(
        "https://AC1:hunter2@api.twilio.com",
        "AC1",
        &Secret::new("t"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("user name or password"), "{e}");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    assert!(TwilioClient::new(DEFAULT_BASE_URL, "", &Secret::new("t")).is_err());
    assert!(TwilioClient::new(DEFAULT_BASE_URL, "AC:1", &Secret::new("t")).is_err());
    assert!(TwilioClient::new(DEFAULT_BASE_URL, "AC1", &Secret::new("")).is_err());
}

#[test]
fn a_create_call_form_uses_twilio_names_and_repeats_events() {
    let call = CreateCall {
        method: HttpMethod::Get,
        status_callback_events: vec!["ringing".into(), "completed".into()],
        fallback_url: Some("https://r.example/fallback".into()),
        ..CreateCall::new("+1", "+2", "https://r.example/start")
    };
    let form = serde_urlencoded::to_string(call.form()).unwrap();
    assert_eq!(
        form,
        "To=%2B1&From=%2B2&Url=https%3A%2F%2Fr.example%2Fstart&Method=GET\
         &FallbackUrl=https%3A%2F%2Fr.example%2Ffallback&Record=false\
         &StatusCallbackEvent=ringing&StatusCallbackEvent=completed"
    );
    let inline = CreateCall {
        twiml: Some("<Response><Hangup/></Response>".into()),
        ..CreateCall::new("+1", "+2", "")
    };
    let form = serde_urlencoded::to_string(inline.form()).unwrap();
    assert_eq!(
        form,
        "To=%2B1&From=%2B2&Twiml=%3CResponse%3E%3CHangup%2F%3E%3C%2FResponse%3E&Record=false"
    );
}

#[test]
fn an_api_key_is_the_basic_user_and_its_secret_never_shows() {
    let key = "SK00000000000000000000000000000001";
    let client =
        TwilioClient::with_api_key(DEFAULT_BASE_URL, "AC1", key, &Secret::new("k3y-s3cret"))
            .unwrap();
    assert!(client.uses_api_key());
    assert_eq!(client.account_sid(), "AC1");
    assert!(!format!("{client:?}").contains("k3y-s3cret"));
    assert!(TwilioClient::with_api_key(DEFAULT_BASE_URL, "AC1", "", &Secret::new("s")).is_err());
    let empty = TwilioClient::with_api_key(DEFAULT_BASE_URL, "AC1", key, &Secret::new(""));
    assert!(empty
        .unwrap_err()
        .to_string()
        .contains("TWILIO_IVR_API_SECRET"));
    let token = TwilioClient::new(DEFAULT_BASE_URL, "AC1", &Secret::new("t")).unwrap();
    assert!(!token.uses_api_key());
}

#[test]
fn a_message_filter_encodes_literal_range_keys() {
    let at = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    };
    let filter = MessageFilter {
        to: Some("+14155551212".into()),
        from: Some("+1800".into()),
        sent_on_or_after: Some(at("2026-03-02T00:30:00.750+01:00").date_naive()),
        sent_on_or_before: Some(at("2026-03-03T00:00:00Z").date_naive()),
        page_size: Some(100),
        max_pages: Some(3),
    };
    assert_eq!(
        filter.query().unwrap(),
        "To=%2B14155551212&From=%2B1800&DateSent%3E=2026-03-01\
         &DateSent%3C=2026-03-03&PageSize=100"
    );
    assert_eq!(MessageFilter::default().query().unwrap(), "");
}

#[test]
fn twilio_errors_read_with_their_fix() {
    let e = ClientError::Twilio {
        status: 400,
        code: 21215,
        message: "Account not authorized to call +447700900123. Perhaps you need to enable \
                  some international permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk"
            .into(),
        explanation: explain(21215),
    };
    let shown = e.to_string();
    assert!(
        shown.starts_with(
            "Twilio error 21215 (HTTP 400): Account not authorized to call +447700900123."
        ),
        "{shown}"
    );
    assert!(
        shown.contains("low-risk . Fix: Calls to this country"),
        "{shown}"
    );

    let ended = ClientError::Twilio {
        status: 400,
        code: 21220,
        message: "Call is not in-progress. Cannot redirect.".into(),
        explanation: None,
    };
    assert_eq!(
        ended.to_string(),
        "Twilio error 21220 (HTTP 400): Call is not in-progress. Cannot redirect."
    );
    assert_eq!(ended.code(), Some(21220));
    assert_eq!(ClientError::Http("x".into()).code(), None);
}

#[test]
fn each_product_has_its_domain_on_twilio_and_a_path_elsewhere() {
    let on = |base_url: &str, product| base(base_url).product_base(product).to_string();
    for (product, domain) in [
        (Product::Api, "https://api.twilio.com/"),
        (Product::Serverless, "https://serverless.twilio.com/"),
        (
            Product::ServerlessUpload,
            "https://serverless-upload.twilio.com/",
        ),
        (Product::Sync, "https://sync.twilio.com/"),
        (Product::Studio, "https://studio.twilio.com/"),
        (Product::Voice, "https://voice.twilio.com/"),
    ] {
        assert_eq!(on(DEFAULT_BASE_URL, product), domain);
        assert_eq!(on("https://api.twilio.com/2010-04-01/", product), domain);
    }
    assert_eq!(
        on("https://api.dublin.ie1.twilio.com", Product::Sync),
        "https://sync.dublin.ie1.twilio.com/"
    );
    let emulator = "http://127.0.0.1:8080";
    for product in Product::ALL {
        let expected = match product {
            Product::Api => format!("{emulator}/"),
            other => format!("{emulator}{}", other.path_prefix()),
        };
        assert_eq!(on(emulator, product), expected);
    }
    assert_eq!(
        on("https://proxy.example/twilio/", Product::Serverless),
        "https://proxy.example/twilio/serverless"
    );
    // Only Twilio's own API host maps to product domains; a look-alike does not.
    assert_eq!(
        on("https://api.twilio.com.evil.example", Product::Sync),
        "https://api.twilio.com.evil.example/sync"
    );
    assert_eq!(
        base(emulator)
            .product_url(Product::Sync, &["v1", "Services", "IS1", "Lists", "a/b?c"])
            .as_str(),
        "http://127.0.0.1:8080/sync/v1/Services/IS1/Lists/a%2Fb%3Fc"
    );
    assert_eq!(
        base(DEFAULT_BASE_URL)
            .product_url(Product::ServerlessUpload, &["v1", "Services"])
            .as_str(),
        "https://serverless-upload.twilio.com/v1/Services"
    );
}

#[test]
fn v1_next_page_urls_must_stay_within_their_product() {
    let emulator = base("http://127.0.0.1:8080");
    let next = "http://127.0.0.1:8080/sync/v1/Services/IS1/Lists/ES1/Items?PageSize=2&Page=1";
    assert_eq!(emulator.within(Product::Sync, next).unwrap().as_str(), next);
    for bad in [
        "http://127.0.0.1:8080/serverless/v1/Services",
        "http://127.0.0.1:8080/synced/v1/Services",
        "http://127.0.0.1:9999/sync/v1/Services",
        "/sync/v1/Services",
    ] {
        assert!(emulator.within(Product::Sync, bad).is_err(), "{bad}");
    }
    let twilio = base(DEFAULT_BASE_URL);
    assert!(twilio
        .within(
            Product::Serverless,
            "https://serverless.twilio.com/v1/Services?Page=1"
        )
        .is_ok());
    assert!(twilio
        .within(
            Product::Serverless,
            "https://api.twilio.com/v1/Services?Page=1"
        )
        .is_err());
}

#[test]
fn v1_requests_encode_lists_dependencies_and_item_queries() {
    let build = CreateBuild {
        function_versions: vec!["ZN1".into(), "ZN2".into()],
        dependencies: vec![Dependency {
            name: "twilio".into(),
            version: "^5".into(),
        }],
        runtime: Some("node22".into()),
    };
    assert_eq!(
        serde_urlencoded::to_string(build.form().unwrap()).unwrap(),
        "FunctionVersions=ZN1&FunctionVersions=ZN2\
         &Dependencies=%5B%7B%22name%22%3A%22twilio%22%2C%22version%22%3A%22%5E5%22%7D%5D\
         &Runtime=node22"
    );
    let query = ItemQuery {
        descending: true,
        from: Some(7),
        exclusive: true,
        page_size: Some(100),
        max_pages: Some(2),
    };
    assert_eq!(
        serde_urlencoded::to_string(query.query()).unwrap(),
        "From=7&Bounds=exclusive&Order=desc&PageSize=100"
    );
    assert_eq!(
        serde_urlencoded::to_string(ItemQuery::default().query()).unwrap(),
        "Order=asc"
    );
    let client = TwilioClient::new(DEFAULT_BASE_URL, "AC1", &Secret::new("t")).unwrap();
    let e = client
        .v1_url(Product::Sync, &["Services", " "])
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidArgument(_)), "{e}");
}

#[test]
fn functions_answer_on_their_domain_on_twilio_and_under_a_prefix_elsewhere() {
    let url = |base_url: &str| base(base_url).function_url("relay-1234-prod.twil.io", "/relay");
    assert_eq!(
        url("https://api.twilio.com"),
        "https://relay-1234-prod.twil.io/relay"
    );
    assert_eq!(
        url("http://127.0.0.1:8080"),
        "http://127.0.0.1:8080/functions/relay-1234-prod.twil.io/relay"
    );
    assert_eq!(
        url("https://proxy.example/twilio/"),
        "https://proxy.example/twilio/functions/relay-1234-prod.twil.io/relay"
    );
}
