//! One SMTP connection to the relay, kept for a batch of the queue, with TCP_NODELAY.
//!
//! Why not lettre's transport: it leaves Nagle's algorithm on, so the final `.` of each
//! message waits ~40 ms for the relay's delayed ACK. Beyond the lost throughput, that made
//! the window of "accepted by the relay, not yet recorded" most of each message's time: a
//! kill -9 then flushes the held `.` and the relay accepts a message the process never saw
//! accepted. With NODELAY the window is what the relay does with the message after its final
//! `.` (store it, answer 250), then one SQLite write on our side.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;

use crate::settings::{Smtp, SmtpSecurity};

/// Why a message did not go: (permanent, the relay's or the network's words).
pub type Refusal = (bool, String);

/// A connection opened on first use and reopened after a failure.
#[derive(Default)]
pub struct Relay {
    conn: Option<AsyncSmtpConnection>,
}

impl Relay {
    /// Sends one message; a failed connection is dropped (the next send reconnects).
    pub async fn send(&mut self, smtp: &Smtp, msg: &Message) -> Result<(), Refusal> {
        if self.conn.as_ref().map_or(true, |c| c.has_broken()) {
            self.conn = Some(connect(smtp).await.map_err(|e| (false, e))?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err((false, "no connection".into()));
        };
        let sent = actix_web::rt::time::timeout(
            Duration::from_secs(60),
            conn.send(msg.envelope(), &msg.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                if e.is_permanent() {
                    // A refused recipient leaves the connection usable after a reset.
                    if conn
                        .command(lettre::transport::smtp::commands::Rset)
                        .await
                        .is_err()
                    {
                        self.conn = None;
                    }
                } else {
                    self.conn = None;
                }
                Err((e.is_permanent(), e.to_string()))
            }
            Err(_) => {
                self.conn = None;
                Err((false, "the relay did not answer within 60 s".into()))
            }
        }
    }

    /// Says goodbye to the relay.
    pub async fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit().await;
        }
    }
}

async fn connect(smtp: &Smtp) -> Result<AsyncSmtpConnection, String> {
    let host = smtp.host.trim();
    let hello = ClientId::default();
    let timeout = Duration::from_secs(15);
    let mut conn = if smtp.security == SmtpSecurity::Tls {
        // Implicit TLS: lettre's own connector (Nagle matters less behind TLS records).
        let tls = TlsParameters::new(host.to_string()).map_err(|e| e.to_string())?;
        AsyncSmtpConnection::connect_tokio1(
            (host, smtp.port),
            Some(timeout),
            &hello,
            Some(tls),
            None,
        )
        .await
        .map_err(|e| e.to_string())?
    } else {
        let tcp = actix_web::rt::time::timeout(
            timeout,
            actix_web::rt::net::TcpStream::connect((host, smtp.port)),
        )
        .await
        .map_err(|_| format!("SMTP relay {host}:{}: connection timed out", smtp.port))?
        .map_err(|e| format!("SMTP relay {host}:{}: {e}", smtp.port))?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &hello)
            .await
            .map_err(|e| e.to_string())?;
        if smtp.security == SmtpSecurity::StartTls {
            let tls = TlsParameters::new(host.to_string()).map_err(|e| e.to_string())?;
            conn.starttls(tls, &hello)
                .await
                .map_err(|e| e.to_string())?;
        }
        conn
    };
    if !smtp.user.is_empty() {
        let credentials = Credentials::new(smtp.user.clone(), smtp.password.clone());
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(conn)
}
