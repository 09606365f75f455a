//! What a person sees of a consultation: the drafts open for comment, a draft to read and
//! comment on. Pages only, composed from drafts, rounds and comments (which know nothing of it).
pub mod pages;
