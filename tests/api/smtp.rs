//! A small SMTP server on loopback for the tests: it speaks enough of RFC 5321 for lettre
//! (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps every message it accepts.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct SmtpServer {
    pub messages: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
}

/// A free loopback port (nothing listens on it once this returns).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How the relay speaks: plain text, TLS from the first byte (port 465 style), or plain text
/// until STARTTLS, refusing mail before it.
#[derive(Clone)]
pub enum Security {
    Plain,
    Implicit(Arc<rustls::ServerConfig>),
    Starttls(Arc<rustls::ServerConfig>),
}

impl SmtpServer {
    pub fn start(port: u16) -> SmtpServer {
        Self::start_with(port, Security::Plain)
    }

    pub fn start_with(port: u16, security: Security) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP port");
        listener.set_nonblocking(true).unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (messages.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (m, security) = (m.clone(), security.clone());
                        std::thread::spawn(move || {
                            let _ = serve(stream, &m, &security);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        SmtpServer { messages, stop }
    }

    pub fn received(&self) -> Vec<Vec<u8>> {
        self.messages.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, messages: &Mutex<Vec<Vec<u8>>>, security: &Security) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let tls = |config: &Arc<rustls::ServerConfig>, stream: TcpStream| {
        rustls::ServerConnection::new(config.clone())
            .map(|c| rustls::StreamOwned::new(c, stream))
            .map_err(io::Error::other)
    };
    match security {
        Security::Plain => dialogue(stream, messages, false, true).map(|_| ()),
        Security::Implicit(config) => {
            dialogue(tls(config, stream)?, messages, false, true).map(|_| ())
        }
        Security::Starttls(config) => match dialogue(stream, messages, true, true)? {
            Some(stream) => dialogue(tls(config, stream)?, messages, false, false).map(|_| ()),
            None => Ok(()),
        },
    }
}

/// One SMTP conversation on `stream`. With `offer_starttls`, mail is refused until the
/// client asks for TLS; the stream is then handed back (`Some`) for the handshake.
fn dialogue<S: Read + Write>(
    stream: S,
    messages: &Mutex<Vec<Vec<u8>>>,
    offer_starttls: bool,
    greet: bool,
) -> io::Result<Option<S>> {
    let mut input = BufReader::new(stream);
    if greet {
        input.get_mut().write_all(b"220 test.gopy ESMTP\r\n")?;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let out = input.get_mut();
        match verb.as_str() {
            "EHLO" if offer_starttls => {
                out.write_all(b"250-test.gopy\r\n250-STARTTLS\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?
            }
            "EHLO" => out.write_all(b"250-test.gopy\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?,
            "STAR" if offer_starttls => {
                out.write_all(b"220 go ahead\r\n")?;
                out.flush()?;
                return Ok(Some(input.into_inner()));
            }
            "MAIL" | "RCPT" | "DATA" if offer_starttls => {
                out.write_all(b"530 5.7.0 Must issue a STARTTLS command first\r\n")?
            }
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "DATA" => {
                out.write_all(b"354 go ahead\r\n")?;
                out.flush()?;
                let mut data = Vec::new();
                loop {
                    let mut l = Vec::new();
                    if input.read_until(b'\n', &mut l)? == 0 {
                        return Ok(None);
                    }
                    if l == b".\r\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    let l = if l.starts_with(b"..") {
                        l[1..].to_vec()
                    } else {
                        l
                    };
                    data.extend_from_slice(&l);
                }
                messages.lock().unwrap().push(data);
                input.get_mut().write_all(b"250 queued\r\n")?;
            }
            "QUIT" => {
                out.write_all(b"221 bye\r\n")?;
                out.flush()?;
                return Ok(None);
            }
            _ => out.write_all(b"502 not implemented\r\n")?,
        }
        input.get_mut().flush()?;
    }
}

/// A certificate authority made for one test, and a relay certificate it signed for
/// 127.0.0.1: the CA's PEM (for `mail.smtp_ca_file`) and the relay's TLS configuration.
pub fn test_ca() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Sở Nội vụ – CA thử nghiệm");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let relay_key = KeyPair::generate().unwrap();
    let relay = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&relay_key, &issuer)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(relay_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![relay.der().clone(), ca_cert.der().clone()], key)
    .unwrap();
    (ca_cert.pem(), Arc::new(config))
}
