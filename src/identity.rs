//! Who is asking, as the domain sees it. The HTTP extractors build these from a bearer token
//! and the request; the CLI and the demo seed build them directly. No service sees HTTP.

crate::text_enum! {
    /// What a person may do; an account may hold several.
    pub enum Role {
        Employee = "employee",
        Moderator = "moderator",
        Secretariat = "secretariat",
        Admin = "admin",
        /// May comment on behalf of their unit (`on_behalf_of_unit`): the unit's collective
        /// opinion, counted apart from individual comments.
        UnitRepresentative = "unit_representative",
    }
}

crate::text_enum! {
    /// The language of a person's mails.
    pub enum Locale {
        Vi = "vi",
        En = "en",
    }
}

/// A person acting: the signed-in user behind a request, or one the CLI or seed acts as.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    /// The session the request came through; `None` outside a request.
    pub session_id: Option<i64>,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub roles: Vec<Role>,
    /// The language of their mails and pages.
    pub locale: Locale,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Moderators and the secretariat see comments in every state.
    pub fn sees_all_comments(&self) -> bool {
        self.has(Role::Moderator) || self.has(Role::Secretariat)
    }

    /// Only the secretariat sees unpublished drafts.
    pub fn sees_drafts(&self) -> bool {
        self.has(Role::Secretariat)
    }
}

/// The audit id of whoever acts: a person, or `None` for the system (CLI, seed, jobs).
pub fn actor_id(actor: Option<&Actor>) -> Option<i64> {
    actor.map(|a| a.id)
}

/// Where a request came from, for the audit log, and the language its answer is written in.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub lang: Lang,
}

impl RequestMeta {
    /// For work started from the command line (or the demo seed), labelled as such.
    pub fn local(label: &str) -> Self {
        Self {
            ip: None,
            user_agent: Some(label.to_owned()),
            lang: Lang::En,
        }
    }
}

/// The language of messages meant for people: Vietnamese unless English is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Pick the text for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}
