//! Rounds (đợt) of a consultation: each open for a period to an audience of units, each on one
//! version of the text; the notices when a round opens and the reminders before it closes.
pub mod gate;
pub mod handlers;
pub mod notices;
pub mod service;
pub mod store;
pub mod types;
