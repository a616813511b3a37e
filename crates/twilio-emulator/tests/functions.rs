//! Deployed Functions run under node: deployed through the Serverless API with twilio-wire's
//! client, invoked over HTTP at `{base}/functions/{domain_name}{path}`. The tests skip (with a
//! message) without node unless `IVR_TEST_REQUIRE_NODE=1`, which CI sets.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::log::EventLog;
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};
use twilio_wire::client::*;
use twilio_wire::secret::Secret;
use twilio_wire::signature;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "functions-test-token-81c4";

/// Whether node runs here; without it a test skips, unless CI requires node.
fn node_present() -> bool {
    let present = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !present {
        assert!(
            std::env::var("IVR_TEST_REQUIRE_NODE").as_deref() != Ok("1"),
            "IVR_TEST_REQUIRE_NODE=1 but node does not run"
        );
        eprintln!("skipped: node is not on PATH (set IVR_TEST_REQUIRE_NODE=1 to require it)");
    }
    present
}

/// An emulator whose Builds complete at once; `time_scale` shortens the execution limit.
async fn emulator(time_scale: f64, node: Option<PathBuf>) -> RunningEmulator {
    start_emulator(EmulatorOptions {
        time_scale: Some(time_scale),
        node,
        ..EmulatorOptions::default()
    })
    .await
}

/// An emulator at real speed and the lines of its event log.
async fn logged_emulator() -> (RunningEmulator, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let log = EventLog::new(false, move |line| {
        sink.lock().unwrap().push(line.to_string())
    });
    let options = EmulatorOptions {
        log,
        ..EmulatorOptions::default()
    };
    (start_emulator(options).await, lines)
}

async fn start_emulator(options: EmulatorOptions) -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let mut config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    config.latencies.build_ms = 0;
    start(listener, config, options).await.expect("start")
}

fn client(emulator: &RunningEmulator) -> TwilioClient {
    TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client")
}

/// Creates a Service (given the account's credentials if `include_credentials`), an Environment
/// with `variables`, one Function per `(path, visibility, code)`, and builds them; returns the
/// Service, the Environment and the Build (not deployed).
async fn build(
    client: &TwilioClient,
    include_credentials: bool,
    variables: &[(&str, &str)],
    functions: &[(&str, &str, &str)],
) -> (ServerlessService, Environment, Build) {
    let service = client
        .create_serverless_service(&CreateServerlessService {
            unique_name: "relay".into(),
            friendly_name: "relay".into(),
            include_credentials: Some(include_credentials),
            ..CreateServerlessService::default()
        })
        .await
        .expect("service");
    let environment = client
        .create_environment(&service.sid, "production", Some("prod"))
        .await
        .expect("environment");
    for (key, value) in variables {
        client
            .create_variable(&service.sid, &environment.sid, key, value)
            .await
            .expect("variable");
    }
    let mut versions = Vec::new();
    for (path, visibility, code) in functions {
        let function = client
            .create_function(&service.sid, path.trim_start_matches('/'))
            .await
            .expect("function");
        let upload = FunctionUpload {
            path: (*path).into(),
            visibility: (*visibility).into(),
            content: (*code).into(),
            file_name: format!("{}.js", path.trim_start_matches('/')),
        };
        let version = client
            .upload_function_version(&service.sid, &function.sid, &upload)
            .await
            .expect("upload");
        versions.push(version.sid);
    }
    let build = client
        .create_build(
            &service.sid,
            &CreateBuild {
                function_versions: versions,
                dependencies: Vec::new(),
                runtime: None,
            },
        )
        .await
        .expect("build");
    (service, environment, build)
}

/// Builds and deploys `functions` in a Service with the account's credentials; returns the URL of the Environment's domain, as the client
/// computes it.
async fn deploy(
    emulator: &RunningEmulator,
    variables: &[(&str, &str)],
    functions: &[(&str, &str, &str)],
) -> String {
    let client = client(emulator);
    let (service, environment, build) = build(&client, true, variables, functions).await;
    let done = client.fetch_build(&service.sid, &build.sid).await.unwrap();
    assert_eq!(done.status, "completed");
    client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .expect("deployment");
    client.function_url(&environment.domain_name, "")
}

const ECHO: &str = "exports.handler = (context, event, callback) => {
  const { request, ...params } = event;
  callback(null, { params, path: context.PATH, domain: context.DOMAIN_NAME,
    protocol: context.RELAY_PROTOCOL, credentials: context.AUTH_TOKEN !== undefined,
    env: Object.keys(process.env).filter((name) => name !== 'PATH'),
    envProtocol: process.env.RELAY_PROTOCOL });
};";

#[tokio::test]
async fn visibility_decides_who_may_call_and_parameters_become_the_event() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let base = deploy(
        &emulator,
        &[("RELAY_PROTOCOL", "1")],
        &[
            ("/public", "public", ECHO),
            ("/protected", "protected", ECHO),
            ("/private", "private", ECHO),
        ],
    )
    .await;
    let http = reqwest::Client::new();

    let public = http
        .post(format!("{base}/public?From=%2B15550001111&Digits=1"))
        .form(&[("Digits", "2"), ("SpeechResult", "yes please")])
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 200);
    assert!(public.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let answer: Value = public.json().await.unwrap();
    assert_eq!(
        answer["params"],
        json!({"From": "+15550001111", "Digits": ["1", "2"], "SpeechResult": "yes please"})
    );
    assert_eq!(answer["path"], "/public");
    assert_eq!(answer["protocol"], "1");
    // The Variables are in process.env too, and nothing of the emulator's environment is.
    assert_eq!(answer["env"], json!(["RELAY_PROTOCOL"]));
    assert_eq!(answer["envProtocol"], "1");
    assert_eq!(answer["credentials"], true);
    assert!(answer["domain"]
        .as_str()
        .unwrap()
        .ends_with("-prod.twil.io"));

    let url = format!("{base}/protected");
    let form = [("CallSid".to_string(), "CA1".to_string())];
    let unsigned = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let forged = http
        .post(&url)
        .header(
            "X-Twilio-Signature",
            signature::compute("wrong", &url, &form),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let signed = http
        .post(&url)
        .header("X-Twilio-Signature", signature::compute(TOKEN, &url, &form))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    let answer: Value = signed.json().await.unwrap();
    assert_eq!(answer["params"], json!({"CallSid": "CA1"}));

    let private = http.get(format!("{base}/private")).send().await.unwrap();
    assert_eq!(private.status(), 404);
    let nothing = http.get(format!("{base}/absent")).send().await.unwrap();
    assert_eq!(nothing.status(), 404);
}

const RESPONSES: &str = "exports.handler = (context, event, callback) => {
  if (event.kind === 'error') return callback(new Error('the relay broke'));
  if (event.kind === 'throw') throw new TypeError('thrown');
  if (event.kind === 'twiml') {
    const twiml = new Twilio.twiml.VoiceResponse();
    twiml.gather({ input: 'speech', action: '/relay' }).say('Say something & wait');
    twiml.pause({ length: 2 });
    return callback(null, twiml);
  }
  console.log('this goes to the log, not the answer');
  const response = new Twilio.Response();
  response.setStatusCode(202);
  response.setHeaders({ 'X-Relay': 'one' });
  response.appendHeader('Content-Type', 'text/plain');
  response.setBody('accepted ' + event.kind);
  callback(null, response);
};";

#[tokio::test]
async fn responses_errors_and_twiml_take_twilios_shapes() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let base = deploy(&emulator, &[], &[("/answer", "public", RESPONSES)]).await;
    let http = reqwest::Client::new();
    let call = |kind: &str| http.get(format!("{base}/answer?kind={kind}")).send();

    let response = call("plain").await.unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["x-relay"], "one");
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.text().await.unwrap(), "accepted plain");

    for (kind, name, message) in [
        ("error", "Error", "the relay broke"),
        ("throw", "TypeError", "thrown"),
    ] {
        let failed = call(kind).await.unwrap();
        assert_eq!(failed.status(), 500, "{kind}");
        let body: Value = failed.json().await.unwrap();
        assert_eq!(
            (body["name"].as_str(), body["message"].as_str()),
            (Some(name), Some(message))
        );
    }

    let twiml = call("twiml").await.unwrap();
    assert!(twiml.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/xml"));
    assert_eq!(
        twiml.text().await.unwrap(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather input=\"speech\" \
         action=\"/relay\"><Say>Say something &amp; wait</Say></Gather><Pause length=\"2\"/>\
         </Response>"
    );
}

const STORE_IN_SYNC: &str = "exports.handler = async (context, event, callback) => {
  const url = `${context.TWILIO_API_BASE}/sync/v1/Services/${event.Service}/Lists/${event.List}/Items`;
  const auth = Buffer.from(`${context.ACCOUNT_SID}:${context.AUTH_TOKEN}`).toString('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Data: JSON.stringify({ speech: event.SpeechResult }) }),
  });
  callback(null, { status: response.status });
};";

#[tokio::test]
async fn a_function_reaches_the_emulators_sync_api_with_its_context() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let client = client(&emulator);
    let sync = client.create_sync_service(None).await.unwrap();
    let list = client
        .create_sync_list(&sync.sid, Some("CA1"), None)
        .await
        .unwrap();
    let base = deploy(&emulator, &[], &[("/store", "public", STORE_IN_SYNC)]).await;
    let answer: Value = reqwest::Client::new()
        .post(format!("{base}/store"))
        .json(&json!({"Service": sync.sid, "List": list.sid, "SpeechResult": "agent"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer, json!({"status": 201}));
    let items = client
        .list_sync_list_items(&sync.sid, &list.sid, &ItemQuery::default())
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].data, json!({"speech": "agent"}));
}

/// Counts its invocations in module state, which lives as long as the Function's worker.
const COUNT: &str = "let invocations = 0;
exports.handler = (context, event, callback) => callback(null, { count: ++invocations });";

/// The status and body of the answer to a GET of `path` at `base`.
async fn get(base: &str, path: &str) -> (u16, String) {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What `/count` at `base` answers.
async fn count(base: &str) -> Value {
    let (status, body) = get(base, "/count").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["count"].clone()
}

#[tokio::test]
async fn a_function_that_never_calls_back_is_stopped_at_the_execution_limit() {
    if !node_present() {
        return;
    }
    // The 10 s limit passes in 1 s at this scale.
    let emulator = emulator(10.0, None).await;
    let never = "exports.handler = () => { setInterval(() => {}, 1000); };";
    let base = deploy(
        &emulator,
        &[],
        &[("/count", "public", COUNT), ("/never", "public", never)],
    )
    .await;
    assert_eq!(count(&base).await, 1);
    let response = reqwest::get(format!("{base}/never")).await.unwrap();
    assert_eq!(response.status(), 504);
    assert!(response.text().await.unwrap().contains("execution limit"));
    // The same warm worker answers next (no new node to start): its module state survived.
    assert_eq!(count(&base).await, 2);
}

#[tokio::test]
async fn a_function_that_blocks_its_worker_gets_it_stopped_and_the_next_invocation_a_new_one() {
    if !node_present() {
        return;
    }
    // The 10 s limit passes in 1 s at this scale.
    let emulator = emulator(10.0, None).await;
    let endless = "exports.handler = () => { for (;;) {} };";
    let base = deploy(
        &emulator,
        &[],
        &[("/count", "public", COUNT), ("/endless", "public", endless)],
    )
    .await;
    assert_eq!(count(&base).await, 1);
    let (status, message) = get(&base, "/endless").await;
    assert_eq!(status, 504, "{message}");
    // A new worker answers: the module state starts again.
    assert_eq!(count(&base).await, 1);
}

#[tokio::test]
async fn process_exit_in_a_function_ends_only_its_invocation() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let exit = "exports.handler = (context, event, callback) => {
  process.exit(3);
  callback(null, 'not reached');
};";
    let base = deploy(
        &emulator,
        &[],
        &[("/count", "public", COUNT), ("/exit", "public", exit)],
    )
    .await;
    assert_eq!(count(&base).await, 1);
    let response = reqwest::get(format!("{base}/exit")).await.unwrap();
    assert_eq!(response.status(), 500);
    let message = response.text().await.unwrap();
    assert!(
        message.contains("ended without calling back") && message.contains("process.exit(3)"),
        "{message}"
    );
    assert_eq!(count(&base).await, 2);
}

#[tokio::test]
async fn module_state_survives_between_invocations_until_a_new_deployment() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let client = client(&emulator);
    let (service, environment, build) =
        build(&client, true, &[], &[("/count", "public", COUNT)]).await;
    client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .expect("deployment");
    let base = client.function_url(&environment.domain_name, "");
    assert_eq!(count(&base).await, 1);
    assert_eq!(count(&base).await, 2);

    // The same code built and deployed again starts in a fresh container, as on Twilio.
    let versions = build.function_versions.iter().map(|v| v.sid.clone());
    let rebuilt = client
        .create_build(
            &service.sid,
            &CreateBuild {
                function_versions: versions.collect(),
                dependencies: Vec::new(),
                runtime: None,
            },
        )
        .await
        .expect("build");
    client
        .create_deployment(&service.sid, &environment.sid, &rebuilt.sid)
        .await
        .expect("deployment");
    assert_eq!(count(&base).await, 1);
}

/// Answers once two invocations (of any Function of the deployment) have arrived.
const RENDEZVOUS: &str = "exports.handler = async (context, event, callback) => {
  globalThis.arrived = (globalThis.arrived || 0) + 1;
  while (globalThis.arrived < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  console.log(`${context.PATH} saw both arrive`);
  callback(null, context.PATH);
};";

#[tokio::test]
async fn concurrent_invocations_both_answer_and_each_ones_output_is_attributed_to_it() {
    if !node_present() {
        return;
    }
    let (emulator, lines) = logged_emulator().await;
    let base = deploy(
        &emulator,
        &[],
        &[
            ("/first", "public", RENDEZVOUS),
            ("/second", "public", RENDEZVOUS),
        ],
    )
    .await;
    let (first, second) = tokio::join!(get(&base, "/first"), get(&base, "/second"));
    assert_eq!(first, (200, "/first".to_string()));
    assert_eq!(second, (200, "/second".to_string()));
    let mut printed: Vec<String> = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|line| line.starts_with("function "))
        .cloned()
        .collect();
    printed.sort();
    assert_eq!(
        printed,
        [
            "function first.js: /first saw both arrive",
            "function second.js: /second saw both arrive"
        ]
    );
}

#[tokio::test]
async fn a_crashed_worker_fails_the_invocations_in_flight_and_the_next_one_gets_a_new_worker() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let wait = "exports.handler = () => { globalThis.waiting = true; };";
    let crash = "exports.handler = () => {
  const crashOnceWaiting = () =>
    globalThis.waiting ? process.kill(process.pid, 'SIGKILL') : setTimeout(crashOnceWaiting, 5);
  crashOnceWaiting();
};";
    let base = deploy(
        &emulator,
        &[],
        &[
            ("/count", "public", COUNT),
            ("/wait", "public", wait),
            ("/crash", "public", crash),
        ],
    )
    .await;
    assert_eq!(count(&base).await, 1);
    let (waiting, crashing) = tokio::join!(get(&base, "/wait"), get(&base, "/crash"));
    for (status, message) in [waiting, crashing] {
        assert_eq!(status, 500, "{message}");
        assert!(message.contains("ended without calling back"), "{message}");
    }
    // A new worker: the module state starts again.
    assert_eq!(count(&base).await, 1);
    assert_eq!(count(&base).await, 2);
}

#[tokio::test]
async fn without_node_a_build_of_functions_fails_naming_node() {
    let missing = PathBuf::from("/nonexistent/bin/node");
    let emulator = emulator(1.0, Some(missing)).await;
    let client = client(&emulator);
    let (service, environment, build) =
        build(&client, true, &[], &[("/relay", "public", ECHO)]).await;
    let failed = client.fetch_build(&service.sid, &build.sid).await.unwrap();
    assert_eq!(failed.status, "failed");
    let refused = client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert!(message.contains("/nonexistent/bin/node"), "{message}");
    assert!(message.contains("install Node.js"), "{message}");
}

#[tokio::test]
async fn the_auth_token_is_in_the_context_only_when_the_service_includes_credentials() {
    if !node_present() {
        return;
    }
    let emulator = emulator(1.0, None).await;
    let client = client(&emulator);
    let (service, environment, build) =
        build(&client, false, &[], &[("/echo", "public", ECHO)]).await;
    client
        .create_deployment(&service.sid, &environment.sid, &build.sid)
        .await
        .expect("deployment");
    let url = client.function_url(&environment.domain_name, "/echo");
    let answer: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(answer["credentials"], false);
}
