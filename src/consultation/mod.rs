//! What a person sees of a consultation: the drafts open for comment, a draft to read and
//! comment on, and the secretariat's pages for drafts. Pages only, composed from drafts, rounds and comments (which know nothing of it).
pub mod pages;
