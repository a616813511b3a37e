//! One webhook's exchange with Redis, as `docs/proxy-protocol.md` ("A webhook at the proxy")
//! describes it, apart from HTTP: find the session's owner, check its account, append the
//! events to the owner's stream, and (for `start`/`next`) take the decisions, waiting for a
//! `decided` notification up to the hold limit.

use tokio::time::Instant;

use super::redis::{LinkError, RedisLink};
use super::waiters::Waiter;
use crate::relay::message::SessionRecord;
use crate::turn::{CallEvent, Turn};

/// What delivering a webhook's events came to.
#[derive(Debug)]
pub enum Delivery {
    /// Appended to the owner's stream.
    Delivered(SessionRecord),
    /// No session hash: the call belongs to no runner (any more).
    Unknown,
    /// The session belongs to another account than the webhook's.
    Foreign,
    /// Redis failed before the events were appended: they are not delivered.
    Failed(LinkError),
}

/// Steps 2 to 4: reads the session, checks that `account` owns it, appends `events` (carried
/// ones first) to its runner's stream in one transaction.
pub async fn deliver(
    link: &RedisLink,
    session: &str,
    account: &str,
    events: &[CallEvent],
) -> Delivery {
    if session.is_empty() {
        return Delivery::Unknown;
    }
    let record = match link.session(session).await {
        Ok(Some(record)) => record,
        Ok(None) => return Delivery::Unknown,
        Err(error) => return Delivery::Failed(error),
    };
    // A proxy serving several accounts must never hand one account's call to another's runner
    // (nor take the other runner's decisions for it).
    if record.account != account {
        return Delivery::Foreign;
    }
    match link.append(&record.runner, session, events).await {
        Ok(()) => Delivery::Delivered(record),
        Err(error) => Delivery::Failed(error),
    }
}

/// Step 5 for `start` and `next`: the session's decisions, merged, and whether there was any.
/// The wait ends at `deadline` (the webhook's arrival plus the hold limit, so slow Redis steps
/// before it count against the hold and the answer still beats Twilio's 15 s). `waiter` must have
/// been registered before the events were delivered, so a decision published right after them
/// is not missed. An error here comes after delivery: the events are safe and the decisions stay
/// in Redis for the next webhook.
pub async fn decision(
    link: &RedisLink,
    session: &str,
    waiter: &Waiter,
    deadline: Instant,
) -> Result<(Turn, bool), LinkError> {
    loop {
        let armed = waiter.armed();
        let decisions = link.take(session).await?;
        if !decisions.is_empty() {
            return Ok((Turn::merge(decisions), true));
        }
        let timed_out = tokio::time::timeout_at(deadline, armed).await.is_err();
        if timed_out || link.waiters.is_closed() {
            // A last look: a decision may have come without its notification.
            let decisions = link.take(session).await?;
            let decided = !decisions.is_empty();
            return Ok((Turn::merge(decisions), decided));
        }
    }
}
