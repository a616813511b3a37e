//! TwiML: the document model ([`ast`]), shared by the emulator's interpreter (which parses what
//! IVR applications return) and the runner (which writes what it answers Twilio).

pub mod ast;
mod attrs;
mod error;
pub mod parse;
mod parse_dial;
mod parse_queue;
mod text;
mod vocabulary;
pub mod write;
mod xml;

#[cfg(test)]
mod test_support;

pub use ast::*;
pub use error::TwimlError;
pub use parse::{parse, resolve_url};
