//! Why a document is not TwiML: the parser's, the attribute readers' and the XML reader's one
//! error type, apart from all three so none of them imports another for it.

/// Why a document is not TwiML this tool can run; every variant is Twilio's error 12100.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwimlError {
    /// The text is not well-formed XML.
    #[error("Document parse failure: invalid XML at byte {position}: {message}")]
    Xml {
        /// Byte offset in the document near the problem.
        position: u64,
        /// What the XML reader objected to.
        message: String,
    },
    /// The root element is not `<Response>`.
    #[error("Document parse failure: the root element must be <Response>, not <{found}>")]
    NotResponse {
        /// The root element's name.
        found: String,
    },
    /// A TwiML element where TwiML does not allow it (§7.2).
    #[error("Document parse failure: <{child}> is not allowed inside <{parent}>")]
    Nesting {
        /// The enclosing element.
        parent: String,
        /// The misplaced element (`Play digits` for a keypad `<Play>` in `<Gather>`).
        child: String,
    },
    /// A name TwiML does not know; names are case-sensitive, so `<say>` is one.
    #[error("Document parse failure: <{name}> (inside <{parent}>) is not a TwiML element; names are case-sensitive")]
    UnknownElement {
        /// The unknown name.
        name: String,
        /// The enclosing element.
        parent: String,
    },
    /// Text inside an element that takes none.
    #[error("Document parse failure: <{element}> cannot contain text, found {text:?}")]
    UnexpectedText {
        /// The element.
        element: String,
        /// The text, trimmed.
        text: String,
    },
    /// An attribute value Twilio does not accept.
    #[error("Document parse failure: <{element}> attribute {attribute}=\"{value}\" is invalid: expected {expected}")]
    Attribute {
        /// The element.
        element: String,
        /// The attribute name.
        attribute: String,
        /// The value as written.
        value: String,
        /// What would be valid.
        expected: &'static str,
    },
    /// Content the verb cannot run without, such as `<Redirect>`'s URL.
    #[error("Document parse failure: <{element}> {problem}")]
    Missing {
        /// The element.
        element: String,
        /// What is missing.
        problem: &'static str,
    },
    /// More children than Twilio takes, such as an eleventh party in one `<Dial>`.
    #[error("Document parse failure: <{element}> takes at most {max} {what}, found {found}")]
    TooMany {
        /// The element.
        element: String,
        /// What there are too many of.
        what: &'static str,
        /// Twilio's limit.
        max: usize,
        /// How many there are.
        found: usize,
    },
}
