//! The mails gopy wrote, read back from the file transport's `.eml` files.

use crate::helpers::{eventually, TestApp};

#[derive(Debug, Clone)]
pub struct Mail {
    pub outbox_id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

impl Mail {
    /// The token in the mailed link.
    pub fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

impl TestApp {
    /// Send what the outbox holds now, as the background sender would; returns how many.
    pub async fn deliver_mail(&self) -> usize {
        let (pool, settings) = (self.pool.clone(), self.settings.clone());
        tokio::task::spawn_blocking(move || {
            let mailer =
                gopy::mail::transport::Mailer::from_settings(&settings.mail).expect("mailer");
            gopy::mail::worker::drain(&pool, &mailer, &settings).expect("drain")
        })
        .await
        .expect("join")
    }

    /// The mails delivered so far (in outbox order) once at least `n` are; mails queued by
    /// background work (a reset request) may take a moment to reach the outbox.
    pub async fn mails(&self, n: usize) -> Vec<Mail> {
        eventually(&format!("{n} mails"), || async {
            self.deliver_mail().await;
            let mails = read_mails(self.mail_dir.path());
            (mails.len() >= n).then_some(mails)
        })
        .await
    }

    /// Mail number `nth` (from 0) to `to`.
    pub async fn mail_to(&self, to: &str, nth: usize) -> Mail {
        eventually(&format!("mail #{nth} to {to}"), || async {
            self.deliver_mail().await;
            let mut mails: Vec<Mail> = read_mails(self.mail_dir.path())
                .into_iter()
                .filter(|m| m.to == to)
                .collect();
            (mails.len() > nth).then(|| mails.swap_remove(nth))
        })
        .await
    }
}

pub fn read_mails(dir: &std::path::Path) -> Vec<Mail> {
    let mut out: Vec<Mail> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read(e.path()).ok())
                .filter_map(|raw| parse_mail(&raw))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|m| m.outbox_id);
    out
}

pub fn parse_mail(raw: &[u8]) -> Option<Mail> {
    let m = mail_parser::MessageParser::default().parse(raw)?;
    let id = m.message_id()?;
    let outbox_id = id
        .trim_start_matches("outbox-")
        .split('@')
        .next()?
        .parse()
        .ok()?;
    let to = m.to()?.first()?.address()?.to_string();
    Some(Mail {
        outbox_id,
        to,
        subject: m.subject()?.to_owned(),
        text: m.body_text(0)?.into_owned(),
        html: m.body_html(0).map(|h| h.into_owned()).unwrap_or_default(),
        raw: String::from_utf8_lossy(raw).into_owned(),
    })
}
