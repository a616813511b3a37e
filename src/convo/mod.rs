//! BotiumScript: the convo language.
