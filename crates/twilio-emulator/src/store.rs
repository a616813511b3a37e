//! The emulator's state: every call, message, recording, transcription and call queue, behind one
//! lock. Handlers and call tasks hold the lock only for a read or an update, never across an
//! await.

use std::sync::{Arc, Mutex, MutexGuard};

use super::model::{CallRecord, MessageRecord, RecordingRecord, TranscriptionRecord};
use super::queues::QueueRecord;
use super::studio::records::{ExecutionRecord, StepRecord};

#[derive(Debug, Default)]
struct State {
    calls: Vec<CallRecord>,
    messages: Vec<MessageRecord>,
    recordings: Vec<RecordingRecord>,
    transcriptions: Vec<TranscriptionRecord>,
    queues: Vec<QueueRecord>,
    executions: Vec<ExecutionRecord>,
}

/// Shared, cheaply cloned handle on the emulator's records.
#[derive(Debug, Clone, Default)]
pub struct Store {
    state: Arc<Mutex<State>>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a call.
    pub fn insert_call(&self, call: CallRecord) {
        self.lock().calls.push(call);
    }

    /// A copy of one call.
    pub fn call(&self, sid: &str) -> Option<CallRecord> {
        self.lock().calls.iter().find(|c| c.sid == sid).cloned()
    }

    /// Changes one call in place; returns the closure's result, or `None` for an unknown SID.
    pub fn update_call<T>(
        &self,
        sid: &str,
        change: impl FnOnce(&mut CallRecord) -> T,
    ) -> Option<T> {
        self.lock()
            .calls
            .iter_mut()
            .find(|c| c.sid == sid)
            .map(change)
    }

    /// Removes a call (REST `DELETE`); returns it, or `None` for an unknown SID.
    pub fn remove_call(&self, sid: &str) -> Option<CallRecord> {
        let mut state = self.lock();
        let index = state.calls.iter().position(|c| c.sid == sid)?;
        Some(state.calls.remove(index))
    }

    /// Copies of every call (oldest first) that pass `filter`.
    pub fn calls(&self, filter: impl Fn(&CallRecord) -> bool) -> Vec<CallRecord> {
        self.lock()
            .calls
            .iter()
            .filter(|c| filter(c))
            .cloned()
            .collect()
    }

    /// Adds a message.
    pub fn insert_message(&self, message: MessageRecord) {
        self.lock().messages.push(message);
    }

    /// Copies of every message (oldest first) that pass `filter`.
    pub fn messages(&self, filter: impl Fn(&MessageRecord) -> bool) -> Vec<MessageRecord> {
        self.lock()
            .messages
            .iter()
            .filter(|m| filter(m))
            .cloned()
            .collect()
    }

    /// Adds a recording.
    pub fn insert_recording(&self, recording: RecordingRecord) {
        self.lock().recordings.push(recording);
    }

    /// Copies of every recording that passes `filter`.
    pub fn recordings(&self, filter: impl Fn(&RecordingRecord) -> bool) -> Vec<RecordingRecord> {
        self.lock()
            .recordings
            .iter()
            .filter(|r| filter(r))
            .cloned()
            .collect()
    }

    /// Adds a transcription.
    pub fn insert_transcription(&self, transcription: TranscriptionRecord) {
        self.lock().transcriptions.push(transcription);
    }

    /// Removes a transcription (REST `DELETE`); returns it, or `None` for an unknown SID.
    pub fn remove_transcription(&self, sid: &str) -> Option<TranscriptionRecord> {
        let mut state = self.lock();
        let index = state.transcriptions.iter().position(|t| t.sid == sid)?;
        Some(state.transcriptions.remove(index))
    }

    /// Copies of every transcription (oldest first) that passes `filter`.
    pub fn transcriptions(
        &self,
        filter: impl Fn(&TranscriptionRecord) -> bool,
    ) -> Vec<TranscriptionRecord> {
        self.lock()
            .transcriptions
            .iter()
            .filter(|t| filter(t))
            .cloned()
            .collect()
    }

    /// Copies of every call queue (oldest first) that passes `filter`.
    pub fn queues(&self, filter: impl Fn(&QueueRecord) -> bool) -> Vec<QueueRecord> {
        self.lock()
            .queues
            .iter()
            .filter(|q| filter(q))
            .cloned()
            .collect()
    }

    /// Changes the call queues at once (a join, a dequeue, a REST update); returns the
    /// closure's result. See [`super::queues`] for the changes.
    pub fn update_queues<T>(&self, change: impl FnOnce(&mut Vec<QueueRecord>) -> T) -> T {
        change(&mut self.lock().queues)
    }

    /// Adds a Studio execution.
    pub fn insert_execution(&self, execution: ExecutionRecord) {
        self.lock().executions.push(execution);
    }

    /// Adds a step to the execution `sid` and refreshes its context and `date_updated`.
    pub fn add_step(&self, sid: &str, step: StepRecord, context: serde_json::Value) {
        if let Some(execution) = self.lock().executions.iter_mut().find(|e| e.sid == sid) {
            execution.date_updated = step.date_created;
            execution.context = context;
            execution.steps.push(step);
        }
    }

    /// Marks the execution `sid` ended.
    pub fn end_execution(&self, sid: &str, at: chrono::DateTime<chrono::Utc>) {
        if let Some(execution) = self.lock().executions.iter_mut().find(|e| e.sid == sid) {
            if execution.status != "ended" {
                execution.status = "ended".to_string();
                execution.date_updated = at;
            }
        }
    }

    /// Copies of every Studio execution (oldest first) that passes `filter`.
    pub fn executions(&self, filter: impl Fn(&ExecutionRecord) -> bool) -> Vec<ExecutionRecord> {
        self.lock()
            .executions
            .iter()
            .filter(|e| filter(e))
            .cloned()
            .collect()
    }
}
