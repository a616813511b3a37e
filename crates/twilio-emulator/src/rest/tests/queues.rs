//! Queues and their Members: the shapes the 2010-04-01 OpenAPI declares, paging, the writes,
//! and a dequeue handed to the engine. Members are put in the store as the engine puts them.

use super::*;
use crate::queues::{self, QueueRecord};

/// Every field the OpenAPI declares for `api.v2010.account.queue`.
const QUEUE_FIELDS: [&str; 9] = [
    "account_sid",
    "average_wait_time",
    "current_size",
    "date_created",
    "date_updated",
    "friendly_name",
    "max_size",
    "sid",
    "uri",
];
/// Every field the OpenAPI declares for `api.v2010.account.queue.member`.
const MEMBER_FIELDS: [&str; 6] = [
    "call_sid",
    "date_enqueued",
    "position",
    "queue_sid",
    "uri",
    "wait_time",
];

fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    keys
}

/// Joins `calls` to the account's queue `name` (created if needed), as `<Enqueue>` does.
fn enqueue(emulator: &Emulator, account: &str, name: &str, calls: &[&str]) -> String {
    let now = chrono::Utc::now();
    let mut sid = String::new();
    for call in calls {
        sid = emulator
            .store
            .update_queues(|all| queues::join(all, account, name, 10, call, now))
            .expect("room");
    }
    sid
}

#[tokio::test]
async fn queues_and_members_read_as_the_openapi_declares() {
    let emulator = Emulator::start().await;
    let sid = enqueue(&emulator, SID, "support", &["CA1", "CA2", "CA3"]);
    enqueue(&emulator, OTHER_SID, "support", &["CA9"]);

    let (status, list) = emulator.get(&account_path("Queues.json")).await;
    assert_eq!(status, 200, "{list}");
    let listed = list["queues"].as_array().expect("queues");
    assert_eq!(listed.len(), 1, "only the account's own: {list}");
    let queue = &listed[0];
    assert_eq!(keys(queue), QUEUE_FIELDS);
    assert_eq!(queue["sid"], sid.as_str());
    assert_eq!(queue["friendly_name"], "support");
    assert_eq!(queue["current_size"], 3);
    assert_eq!(queue["max_size"], 10);
    assert_eq!(queue["account_sid"], SID);
    let uri = account_path(&format!("Queues/{sid}.json"));
    assert_eq!(queue["uri"], uri.as_str());
    assert_eq!(emulator.get(&uri).await, (200, queue.clone()));

    let (status, members) = emulator
        .get(&account_path(&format!(
            "Queues/{sid}/Members.json?PageSize=2"
        )))
        .await;
    assert_eq!(status, 200, "{members}");
    let page = members["queue_members"].as_array().expect("members");
    assert_eq!(page.len(), 2);
    assert_eq!(keys(&page[0]), MEMBER_FIELDS);
    assert_eq!(
        (page[0]["call_sid"].clone(), page[0]["position"].clone()),
        ("CA1".into(), 1.into())
    );
    assert_eq!(page[1]["position"], 2);
    assert_eq!(page[0]["queue_sid"], sid.as_str());
    let next = members["next_page_uri"].as_str().expect("a second page");
    let (_, rest) = emulator.get(next).await;
    assert_eq!(rest["queue_members"][0]["call_sid"], "CA3");

    let member_uri = account_path(&format!("Queues/{sid}/Members/CA2.json"));
    let (status, member) = emulator.get(&member_uri).await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["uri"], member_uri.as_str());
    assert_eq!(member["position"], 2);
    let (_, front) = emulator
        .get(&account_path(&format!("Queues/{sid}/Members/Front.json")))
        .await;
    assert_eq!(front["call_sid"], "CA1");

    for missing in [
        format!("Queues/{sid}/Members/CA9.json"),
        "Queues/QU00000000000000000000000000000000.json".to_string(),
        "Queues/QU00000000000000000000000000000000/Members.json".to_string(),
    ] {
        let path = account_path(&missing);
        assert_error(
            &emulator.get(&path).await,
            404,
            20404,
            &format!("The requested resource {path} was not found"),
        );
    }
}

#[tokio::test]
async fn queues_are_created_updated_and_deleted_when_empty() {
    let emulator = Emulator::start().await;
    let (status, created) = emulator
        .post(
            &account_path("Queues.json"),
            &[("FriendlyName", "billing"), ("MaxSize", "5")],
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(keys(&created), QUEUE_FIELDS);
    assert_eq!(
        (created["max_size"].clone(), created["current_size"].clone()),
        (5.into(), 0.into())
    );
    let sid = created["sid"].as_str().expect("sid").to_string();
    assert!(twilio_wire::sid::is_sid(&sid, "QU"), "{sid}");
    let (_, defaulted) = emulator
        .post(&account_path("Queues.json"), &[("FriendlyName", "sales")])
        .await;
    assert_eq!(defaulted["max_size"], 1000);

    let uri = account_path(&format!("Queues/{sid}.json"));
    let (status, updated) = emulator
        .post(&uri, &[("FriendlyName", "accounts"), ("MaxSize", "7")])
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (
            updated["friendly_name"].clone(),
            updated["max_size"].clone()
        ),
        ("accounts".into(), 7.into())
    );

    let errors = [
        (
            vec![],
            "Missing required parameter FriendlyName in the post body".to_string(),
        ),
        (
            vec![("FriendlyName", "sales")],
            "A queue named sales already exists".to_string(),
        ),
        (
            vec![("FriendlyName", "x"), ("MaxSize", "5001")],
            "MaxSize must be a whole number from 1 to 5000: 5001".to_string(),
        ),
    ];
    for (form, message) in errors {
        let response = emulator.post(&account_path("Queues.json"), &form).await;
        assert_error(&response, 400, 20001, &message);
    }

    enqueue(&emulator, SID, "accounts", &["CA1"]);
    assert_error(
        &emulator
            .send(emulator.client.delete(format!("{}{uri}", emulator.base)))
            .await,
        400,
        20001,
        &format!("Queue {sid} has 1 members; only an empty queue can be deleted"),
    );
    emulator
        .store
        .update_queues(|all| queues::take(all, &sid, None));
    let (status, _) = emulator
        .send(emulator.client.delete(format!("{}{uri}", emulator.base)))
        .await;
    assert_eq!(status, 204);
    assert_eq!(emulator.get(&uri).await.0, 404);
    let remaining: Vec<QueueRecord> = emulator.store.queues(|_| true);
    assert_eq!(remaining.len(), 1);
}

#[tokio::test]
async fn a_member_is_dequeued_to_the_url_posted() {
    let emulator = Emulator::start().await;
    let sid = enqueue(&emulator, SID, "support", &["CA1", "CA2"]);
    let front = account_path(&format!("Queues/{sid}/Members/Front.json"));
    let (status, member) = emulator
        .post(
            &front,
            &[("Url", "http://127.0.0.1:9/out"), ("Method", "GET")],
        )
        .await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["call_sid"], "CA1");
    assert_eq!(
        emulator.asked(),
        [Asked::Dequeue(
            sid.clone(),
            "CA1".into(),
            TwimlSource::Url {
                url: "http://127.0.0.1:9/out".into(),
                method: twilio_wire::twiml::HttpMethod::Get,
            }
        )]
    );
    assert_error(
        &emulator.post(&front, &[]).await,
        400,
        20001,
        "Missing required parameter Url in the post body",
    );
    assert_error(
        &emulator.post(&front, &[("Url", "/relative")]).await,
        400,
        21205,
        "Url is not a valid URL: /relative",
    );
}
