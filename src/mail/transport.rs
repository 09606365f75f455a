use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::{MailSettings, MailTransportKind, SmtpSecurity};
use crate::mail::types::OutboxRow;

pub enum Mailer {
    File(FileTransport),
    Smtp(Box<SmtpTransport>),
}

impl Mailer {
    pub fn from_settings(s: &MailSettings) -> anyhow::Result<Self> {
        Ok(match s.transport {
            MailTransportKind::File => {
                std::fs::create_dir_all(&s.dir)?;
                Mailer::File(FileTransport::new(&s.dir))
            }
            MailTransportKind::Smtp => {
                let builder = match s.smtp_security {
                    SmtpSecurity::None => SmtpTransport::builder_dangerous(&s.smtp_host),
                    SmtpSecurity::Starttls => SmtpTransport::starttls_relay(&s.smtp_host)?,
                    SmtpSecurity::Tls => SmtpTransport::relay(&s.smtp_host)?,
                };
                let mut builder = builder.port(s.smtp_port);
                if !s.smtp_username.is_empty() {
                    builder = builder.credentials(Credentials::new(
                        s.smtp_username.clone(),
                        s.smtp_password.clone(),
                    ));
                }
                Mailer::Smtp(Box::new(builder.build()))
            }
        })
    }

    /// Blocking send; run it off the async workers.
    pub fn send(&self, from: &str, host: &str, row: &OutboxRow) -> anyhow::Result<()> {
        let message = build_message(from, host, row)?;
        match self {
            Mailer::File(t) => t.send(&message).map(|_| ())?,
            Mailer::Smtp(t) => t.send(&message).map(|_| ())?,
        }
        Ok(())
    }
}

/// The Message-ID is derived from the outbox id, so a retried send is recognisably the same mail.
pub fn build_message(from: &str, host: &str, row: &OutboxRow) -> anyhow::Result<Message> {
    let from: Mailbox = from.parse()?;
    let to: Mailbox = row.recipient.parse()?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!("<outbox-{}@{}>", row.id, host)));
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(row.body_text.clone());
    let message = match &row.body_html {
        Some(html) => builder.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        )?,
        None => builder.singlepart(text)?,
    };
    Ok(message)
}
