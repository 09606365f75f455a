//! The admins' pages: units, people, the roster import, the audit log and the outbox. Pages
//! only, composed from units, accounts, roster, audit and mail (which know nothing of it).
pub mod pages;
