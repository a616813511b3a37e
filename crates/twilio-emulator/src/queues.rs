//! Call queues as records: what the REST API's `Queues` and `Members` show and the call engine
//! changes when a call enqueues, leaves or is dequeued. A queue is created by the first
//! `<Enqueue>` of its name in an account (or `POST Queues.json`); its members wait front first.

use chrono::{DateTime, Utc};

use twilio_wire::sid::new_sid;

/// A queue's `max_size` unless configured or set through the REST API (Twilio's default, per
/// its `Queue` resource and `<Enqueue>` reference).
pub const DEFAULT_MAX_SIZE: u32 = 1000;
/// The largest `max_size` Twilio allows.
pub const LARGEST_MAX_SIZE: u32 = 5000;

/// A call queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRecord {
    /// `QU...`.
    pub sid: String,
    /// The account it belongs to.
    pub account_sid: String,
    /// Its name: what `<Enqueue>` and `<Dial><Queue>` call it.
    pub friendly_name: String,
    /// How many calls it holds at most; one more is refused (`queue-full`).
    pub max_size: u32,
    /// When it was created.
    pub date_created: DateTime<Utc>,
    /// When it was last changed through the REST API.
    pub date_updated: DateTime<Utc>,
    /// The calls waiting, front first.
    pub members: Vec<MemberRecord>,
}

/// A call waiting in a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    /// The waiting call (the IVR's inbound call that ran `<Enqueue>`).
    pub call_sid: String,
    /// When it joined.
    pub date_enqueued: DateTime<Utc>,
}

impl MemberRecord {
    /// Whole seconds it has waited by `now`.
    pub fn wait_secs(&self, now: DateTime<Utc>) -> i64 {
        (now - self.date_enqueued).num_seconds().max(0)
    }
}

impl QueueRecord {
    /// An empty queue named `friendly_name`.
    pub fn new(
        account_sid: &str,
        friendly_name: &str,
        max_size: u32,
        now: DateTime<Utc>,
    ) -> QueueRecord {
        QueueRecord {
            sid: new_sid("QU"),
            account_sid: account_sid.to_string(),
            friendly_name: friendly_name.to_string(),
            max_size,
            date_created: now,
            date_updated: now,
            members: Vec::new(),
        }
    }

    /// The 1-based position of `call_sid`, if it waits here.
    pub fn position(&self, call_sid: &str) -> Option<usize> {
        self.members
            .iter()
            .position(|m| m.call_sid == call_sid)
            .map(|i| i + 1)
    }

    /// The average whole seconds its members have waited by `now` (0 when empty): Twilio's
    /// `average_wait_time`, "calculated at the time of the request".
    pub fn average_wait_secs(&self, now: DateTime<Utc>) -> i64 {
        let count = self.members.len() as i64;
        if count == 0 {
            return 0;
        }
        self.members.iter().map(|m| m.wait_secs(now)).sum::<i64>() / count
    }
}

/// Why a call could not join a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFull {
    /// The queue's SID.
    pub queue_sid: String,
}

/// Adds `call_sid` at the back of the account's queue `name`, creating the queue (with
/// `max_size`) if it does not exist; returns the queue's SID, or why it is full.
pub fn join(
    queues: &mut Vec<QueueRecord>,
    account_sid: &str,
    name: &str,
    max_size: u32,
    call_sid: &str,
    now: DateTime<Utc>,
) -> Result<String, QueueFull> {
    let index = match queues
        .iter()
        .position(|q| q.account_sid == account_sid && q.friendly_name == name)
    {
        Some(index) => index,
        None => {
            queues.push(QueueRecord::new(account_sid, name, max_size, now));
            queues.len() - 1
        }
    };
    let queue = &mut queues[index];
    if queue.members.len() >= queue.max_size as usize {
        return Err(QueueFull {
            queue_sid: queue.sid.clone(),
        });
    }
    queue.members.push(MemberRecord {
        call_sid: call_sid.to_string(),
        date_enqueued: now,
    });
    Ok(queue.sid.clone())
}

/// Takes `call_sid` out of the queue `queue_sid` (the front member when `None`); returns it,
/// or `None` when it does not wait there (or the queue is empty).
pub fn take(
    queues: &mut [QueueRecord],
    queue_sid: &str,
    call_sid: Option<&str>,
) -> Option<MemberRecord> {
    let queue = queues.iter_mut().find(|q| q.sid == queue_sid)?;
    let index = match call_sid {
        Some(sid) => queue.members.iter().position(|m| m.call_sid == sid)?,
        None if queue.members.is_empty() => return None,
        None => 0,
    };
    Some(queue.members.remove(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).expect("time")
    }

    #[test]
    fn the_first_join_creates_the_queue_and_later_ones_wait_behind() {
        let mut queues = Vec::new();
        let sid = join(&mut queues, ACCOUNT, "support", 2, "CA1", at(0)).expect("joins");
        assert!(sid.starts_with("QU") && sid.len() == 34, "{sid}");
        assert_eq!(
            join(&mut queues, ACCOUNT, "support", 2, "CA2", at(10)),
            Ok(sid.clone())
        );
        assert_eq!(
            join(&mut queues, ACCOUNT, "support", 2, "CA3", at(20)),
            Err(QueueFull {
                queue_sid: sid.clone()
            })
        );
        // Another name, or another account, is another queue.
        let sales = join(&mut queues, ACCOUNT, "sales", 2, "CA4", at(0)).expect("joins");
        assert_ne!(sales, sid);
        let other = "AC00000000000000000000000000000002";
        assert_ne!(
            join(&mut queues, other, "support", 2, "CA5", at(0)),
            Ok(sid.clone())
        );
        let queue = &queues[0];
        assert_eq!(
            (queue.position("CA1"), queue.position("CA2")),
            (Some(1), Some(2))
        );
        assert_eq!(queue.position("CA3"), None);
        assert_eq!(queue.average_wait_secs(at(30)), 25);
    }

    #[test]
    fn members_leave_from_the_front_or_by_call() {
        let mut queues = Vec::new();
        let sid = join(&mut queues, ACCOUNT, "support", 10, "CA1", at(0)).expect("joins");
        for call in ["CA2", "CA3"] {
            join(&mut queues, ACCOUNT, "support", 10, call, at(1)).expect("joins");
        }
        assert_eq!(
            take(&mut queues, &sid, Some("CA2")).map(|m| m.call_sid),
            Some("CA2".into())
        );
        assert_eq!(
            take(&mut queues, &sid, None).map(|m| m.call_sid),
            Some("CA1".into())
        );
        assert_eq!(queues[0].position("CA3"), Some(1));
        assert_eq!(take(&mut queues, &sid, Some("CA9")), None);
        assert_eq!(take(&mut queues, "QUnone", None), None);
        take(&mut queues, &sid, None);
        assert_eq!(take(&mut queues, &sid, None), None);
        assert_eq!(queues[0].average_wait_secs(at(5)), 0);
    }
}
