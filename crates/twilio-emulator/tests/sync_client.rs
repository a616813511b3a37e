//! twilio-wire's Sync client against this emulator: the events of a call left in a List and
//! read back in order from where the reader stopped.

use serde_json::json;

use twilio_emulator::config::EmulatorConfig;
use twilio_emulator::server::{start, EmulatorOptions, RunningEmulator};
use twilio_wire::client::*;
use twilio_wire::secret::Secret;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "sync-client-token-7d3b";

async fn emulator() -> RunningEmulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let config = EmulatorConfig::with_account(ACCOUNT, TOKEN);
    start(listener, config, EmulatorOptions::default())
        .await
        .expect("start")
}

fn client(emulator: &RunningEmulator) -> TwilioClient {
    TwilioClient::new(&emulator.base_url, ACCOUNT, &Secret::new(TOKEN)).expect("client")
}

#[tokio::test]
async fn events_are_appended_and_read_from_where_the_reader_stopped() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let service = client
        .create_sync_service(Some("ivr-test relay"))
        .await
        .expect("service");
    assert_eq!(service.friendly_name.as_deref(), Some("ivr-test relay"));
    assert_eq!(
        client.fetch_sync_service(&service.sid).await.unwrap(),
        service
    );
    assert_eq!(
        client.list_sync_services().await.unwrap(),
        std::slice::from_ref(&service)
    );

    let list = client
        .create_sync_list(&service.sid, Some("call-CA1"), Some(3600))
        .await
        .expect("list");
    assert_eq!(list.unique_name.as_deref(), Some("call-CA1"));
    assert!(list.date_expires.is_some());
    assert_eq!(
        client
            .fetch_sync_list(&service.sid, "call-CA1")
            .await
            .unwrap()
            .sid,
        list.sid
    );
    let taken = client
        .create_sync_list(&service.sid, Some("call-CA1"), None)
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some(54301), "{taken}");

    for n in 0..7 {
        let item = client
            .create_sync_list_item(&service.sid, "call-CA1", &json!({"event": n}), Some(600))
            .await
            .expect("item");
        assert_eq!(item.index, n);
        assert!(item.date_expires.is_some());
    }
    // Three pages of at most 3 are followed.
    let all = client
        .list_sync_list_items(
            &service.sid,
            "call-CA1",
            &ItemQuery {
                page_size: Some(3),
                ..ItemQuery::default()
            },
        )
        .await
        .expect("items");
    let indexes: Vec<u64> = all.iter().map(|i| i.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(all[4].data, json!({"event": 4}));

    // A reader that has seen up to index 4 asks for what came after.
    let after = ItemQuery {
        from: Some(4),
        exclusive: true,
        ..ItemQuery::default()
    };
    let newer = client
        .list_sync_list_items(&service.sid, &list.sid, &after)
        .await
        .unwrap();
    assert_eq!(newer.iter().map(|i| i.index).collect::<Vec<_>>(), [5, 6]);
    let newest_first = ItemQuery {
        descending: true,
        ..ItemQuery::default()
    };
    let reversed = client
        .list_sync_list_items(&service.sid, &list.sid, &newest_first)
        .await
        .unwrap();
    assert_eq!(reversed[0].index, 6);

    let updated = client
        .update_sync_list_item(&service.sid, &list.sid, 2, &json!({"event": "changed"}))
        .await
        .expect("update");
    assert_eq!(updated.revision, "1");
    assert_eq!(
        client
            .fetch_sync_list_item(&service.sid, &list.sid, 2)
            .await
            .unwrap()
            .data,
        json!({"event": "changed"})
    );
    client
        .delete_sync_list_item(&service.sid, &list.sid, 2)
        .await
        .expect("delete item");
    let gone = client
        .fetch_sync_list_item(&service.sid, &list.sid, 2)
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some(20404), "{gone}");

    // More pages than allowed is an error, not a silently shortened list.
    let bounded = ItemQuery {
        page_size: Some(2),
        max_pages: Some(2),
        ..ItemQuery::default()
    };
    let e = client
        .list_sync_list_items(&service.sid, &list.sid, &bounded)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidResponse(_)), "{e:?}");

    client
        .delete_sync_list(&service.sid, &list.sid)
        .await
        .expect("delete list");
    client
        .delete_sync_service(&service.sid)
        .await
        .expect("delete service");
    assert!(client.list_sync_services().await.unwrap().is_empty());
    emulator.stop().await;
}
