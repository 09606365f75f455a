use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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
                let builder = SmtpTransport::builder_dangerous(&s.smtp_host).port(s.smtp_port);
                let mut builder = match s.smtp_security {
                    SmtpSecurity::None => builder,
                    SmtpSecurity::Starttls => builder.tls(Tls::Required(tls(s)?)),
                    SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls(s)?)),
                };
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

/// TLS to the relay: its certificate must name `smtp_host` and chain to a public root or to
/// one in `smtp_ca_file`. Never falls back to plain text.
fn tls(s: &MailSettings) -> anyhow::Result<TlsParameters> {
    let mut params = TlsParameters::builder(s.smtp_host.clone());
    if !s.smtp_ca_file.is_empty() {
        let pem = std::fs::read(&s.smtp_ca_file)
            .map_err(|e| anyhow::anyhow!("mail.smtp_ca_file {}: {e}", s.smtp_ca_file))?;
        params = params.add_root_certificate(Certificate::from_pem(&pem)?);
    }
    Ok(params.build()?)
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
