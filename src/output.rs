//! Where a command writes. Commands never reach for the process's stdout and stderr: `main`
//! passes them in as an [`Output`], and tests pass a [`Captured`] buffer instead.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// A writer that several parts of a command share (its own messages, its reporters, its
/// logs); clones write to the same place, a line at a time as each part writes it.
#[derive(Clone)]
pub struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl SharedWriter {
    /// Shares `writer`.
    pub fn new(writer: impl Write + Send + 'static) -> SharedWriter {
        SharedWriter(Arc::new(Mutex::new(Box::new(writer))))
    }

    /// Writes `line` and a newline, ignoring a closed stream (a log line is never worth a
    /// failure).
    pub fn line(&self, line: &str) {
        let mut writer = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(writer, "{line}").and_then(|()| writer.flush());
    }
}

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

/// A command's two streams, and whether a person watches the second.
#[derive(Clone)]
pub struct Output {
    /// Results meant for programs (`check --format json`, the servers' addresses).
    pub out: SharedWriter,
    /// Messages for people: errors, progress, summaries, logs.
    pub err: SharedWriter,
    /// Whether `err` is a terminal (progress bars, colours).
    pub terminal: bool,
}

impl Output {
    /// The process's standard output and error.
    pub fn process() -> Output {
        Output {
            out: SharedWriter::new(std::io::stdout()),
            err: SharedWriter::new(std::io::stderr()),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Both streams into memory, for tests: `(output, stdout, stderr)`.
    pub fn captured() -> (Output, Captured, Captured) {
        let (out, err) = (Captured::default(), Captured::default());
        let output = Output {
            out: SharedWriter::new(out.clone()),
            err: SharedWriter::new(err.clone()),
            terminal: false,
        };
        (output, out, err)
    }
}

/// Bytes written to memory, readable while they are being written.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_a_shared_writer_write_to_one_place_in_order() {
        let (output, out, err) = Output::captured();
        let mut reporter = output.err.clone();
        output.err.line("first");
        writeln!(reporter, "second").expect("write");
        output.err.line("third");
        assert_eq!(err.text(), "first\nsecond\nthird\n");
        assert_eq!(out.text(), "");
    }
}
