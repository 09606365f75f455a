//! The page shell every template extends, and the error page.

use askama::Template;

use crate::http::page::assets;
use crate::identity::{Actor, Lang, Role};

/// A link of the main navigation.
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// What the shared layout (`templates/base.html`) shows.
pub struct Shell {
    pub lang: Lang,
    pub title: String,
    pub organisation: String,
    pub css: String,
    /// The script of progressive enhancements (pages that use it link it).
    pub js: String,
    /// The signed-in person's name, if any.
    pub user: Option<String>,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

impl Shell {
    pub fn anonymous(lang: Lang, vi: &str, en: &str) -> Shell {
        Shell {
            lang,
            title: lang.pick(vi, en).to_owned(),
            organisation: "Sở Nội vụ".to_owned(),
            css: assets::css_url(),
            js: assets::js_url(),
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
        }
    }

    /// The shell of a signed-in page: navigation by role.
    pub fn signed_in(
        visitor: &crate::http::page::Visitor,
        organisation: &str,
        (vi, en): (&str, &str),
    ) -> Shell {
        let lang = visitor.lang;
        let mut shell = Shell::anonymous(lang, vi, en);
        shell.organisation = organisation.to_owned();
        shell.user = Some(visitor.actor.full_name.clone());
        shell.csrf = visitor.csrf.clone();
        shell.nav = nav(&visitor.actor, lang);
        shell
    }

    /// Vietnamese or English text, as the page's language is.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    pub fn lang_tag(&self) -> &'static str {
        self.lang.code()
    }
}

fn nav(actor: &Actor, lang: Lang) -> Vec<NavLink> {
    let mut out = vec![NavLink {
        href: "/drafts",
        label: lang.pick("Dự thảo", "Drafts"),
    }];
    if actor.has(Role::Employee) {
        out.push(NavLink {
            href: "/my/comments",
            label: lang.pick("Góp ý của tôi", "My comments"),
        });
    }
    if actor.has(Role::Secretariat) {
        out.push(NavLink {
            href: "/secretariat",
            label: lang.pick("Thư ký", "Secretariat"),
        });
    }
    if actor.has(Role::Admin) {
        out.push(NavLink {
            href: "/admin",
            label: lang.pick("Quản trị", "Administration"),
        });
    }
    if actor.has(Role::Moderator) {
        out.push(NavLink {
            href: "/moderation",
            label: lang.pick("Kiểm duyệt", "Moderation"),
        });
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub shell: Shell,
    pub status: u16,
    pub message: String,
}
