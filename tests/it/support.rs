//! Test support: the real binary on 127.0.0.1:0 with a temp data dir, a real SMTP server
//! process, and an HTTP client that keeps cookies and does not follow redirects.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_placette");
pub const ADMIN_EMAIL: &str = "maire@village.test";
pub const ADMIN_PASSWORD: &str = "la halle aux grains 1850";

/// A running `placette serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the binary on a fresh data dir inside `dir`.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Server::start_command(Command::new(BIN), data, extra)
    }

    /// Starts `serve` through a given command (e.g. qemu running the ARM binary).
    pub fn start_command(mut cmd: Command, data: &Path, extra: &[&str]) -> Server {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .env("PLACETTE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start placette");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("read first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let l2 = lines.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                l2.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            url,
            data: data.to_path_buf(),
            lines,
        }
    }

    /// The one-time setup code printed on stdout.
    pub fn setup_code(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(l) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with("setup code: "))
            {
                return l["setup code: ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
            }
            assert!(Instant::now() < deadline, "no setup code printed");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A new client with an empty cookie jar.
    pub fn client(&self) -> Client {
        Client {
            base: self.url.clone(),
            agent: agent(),
        }
    }

    /// Completes the first-run setup; returns the admin's signed-in client.
    pub fn set_up(&self) -> Client {
        let c = self.client();
        let page = c.get("/setup");
        assert_eq!(page.status, 200, "{}", page.body);
        let r = c.post_form("/setup", &page, &setup_fields(&self.setup_code()));
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), "/admin");
        c
    }

    /// Mails written to the outbox (no relay configured) that are addressed to `to`, oldest first.
    pub fn outbox_for(&self, to: &str) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.data.join("mail-outbox"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| decode_qp(&std::fs::read_to_string(p).unwrap()))
            .filter(|m| m.contains(&format!("To: {to}")))
            .collect()
    }

    /// A resident who signed up, confirmed their address (from the outbox) and logged in.
    pub fn resident(&self, email: &str, name: &str) -> Client {
        let c = self.client();
        let page = c.get("/signup");
        let r = c.post_form(
            "/signup",
            &page,
            &[
                ("name", name),
                ("email", email),
                ("password", "mot de passe du village"),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let mail = self
            .outbox_for(email)
            .pop()
            .expect("confirmation mail in the outbox");
        let link = link_containing(&mail, "/confirm/");
        assert_eq!(c.get(&link[link.find("/confirm/").unwrap()..]).status, 303);
        c.login(email, "mot de passe du village");
        c
    }

    /// Points the instance's mail at an SMTP server on loopback (plain SMTP).
    pub fn use_smtp(&self, admin: &Client, port: u16) {
        let page = admin.get("/admin");
        let r = admin.post_form(
            "/admin/smtp",
            &page,
            &[
                ("smtp_host", "127.0.0.1"),
                ("smtp_port", &port.to_string()),
                ("smtp_security", "none"),
                ("smtp_user", ""),
                ("smtp_password", ""),
                ("smtp_from", "Mairie <mairie@village.test>"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }

    /// Sends SIGTERM and waits for a graceful exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fields of a valid first-run form.
pub fn setup_fields(code: &str) -> Vec<(&'static str, String)> {
    vec![
        ("code", code.to_string()),
        ("name", "Saint-Test-sur-Loire".into()),
        ("description", "Un village de test.".into()),
        ("center_lat", "47,35".into()),
        ("center_lon", "-0.81".into()),
        ("radius_km", "15".into()),
        ("lang", "fr".into()),
        ("time_zone", "Europe/Paris".into()),
        ("admin_name", "Mairie".into()),
        ("admin_email", ADMIN_EMAIL.into()),
        ("admin_password", ADMIN_PASSWORD.into()),
    ]
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(Duration::from_secs(30))
        .build()
}

/// An HTTP response, whatever its status.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    /// A header's value ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The redirect target.
    pub fn location(&self) -> String {
        self.header("location")
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap().to_string()
    }
}

impl From<Result<ureq::Response, ureq::Error>> for Resp {
    fn from(r: Result<ureq::Response, ureq::Error>) -> Resp {
        into_resp(r)
    }
}

fn into_resp(r: Result<ureq::Response, ureq::Error>) -> Resp {
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = r.status();
    let headers = r
        .headers_names()
        .into_iter()
        .flat_map(|n| {
            r.all(&n)
                .into_iter()
                .map(|v| (n.clone(), v.to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let body = r.into_string().unwrap_or_default();
    Resp {
        status,
        headers,
        body,
    }
}

/// A browser-like client: cookies kept, redirects not followed.
pub struct Client {
    pub base: String,
    pub agent: ureq::Agent,
}

impl Client {
    /// GET a path.
    pub fn get(&self, path: &str) -> Resp {
        into_resp(self.agent.get(&format!("{}{path}", self.base)).call())
    }

    /// GET with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.get(&format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        into_resp(req.call())
    }

    /// POST a form with the CSRF token taken from `page`.
    pub fn post_form<V: AsRef<str>>(&self, path: &str, page: &Resp, fields: &[(&str, V)]) -> Resp {
        let token = page.csrf();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_ref())));
        self.post_raw(path, &all)
    }

    /// POST a form exactly as given (no CSRF token added).
    pub fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        into_resp(
            self.agent
                .post(&format!("{}{path}", self.base))
                .send_form(fields),
        )
    }

    /// Signs in; asserts success.
    pub fn login(&self, email: &str, password: &str) {
        let page = self.get("/login");
        let r = self.post_form(
            "/login",
            &page,
            &[
                ("email", email),
                ("password", password),
                ("next", "/account"),
            ],
        );
        assert_eq!(r.status, 303, "login failed: {}", r.body);
        assert_eq!(r.location(), "/account");
    }
}

/// A real SMTP server process (aiosmtpd) on loopback that stores what it receives.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl SmtpSink {
    /// Starts `tests/support/smtp_sink.py` with the Python of `PLACETTE_TEST_PYTHON` (or python3).
    pub fn start(dir: &Path) -> SmtpSink {
        let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        std::fs::create_dir_all(dir).unwrap();
        let mut child = Command::new(&python)
            .arg(script)
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the SMTP sink with {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("SMTP sink did not start (is aiosmtpd installed?): {line:?}"))
            .parse()
            .unwrap();
        SmtpSink {
            child,
            port,
            dir: dir.to_path_buf(),
        }
    }

    /// Waits for the n-th message (1-based) and returns its raw text.
    pub fn wait_message(&self, n: usize) -> String {
        let path = self.dir.join(format!("{n:04}.eml"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while !path.exists() {
            assert!(Instant::now() < deadline, "no mail #{n} arrived");
            std::thread::sleep(Duration::from_millis(25));
        }
        decode_qp(&std::fs::read_to_string(path).unwrap())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Undoes quoted-printable soft line breaks and =XX escapes, enough to read links in a mail.
pub fn decode_qp(s: &str) -> String {
    let joined = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first URL in a text that contains `needle`.
pub fn link_containing(text: &str, needle: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(needle))
        .unwrap_or_else(|| panic!("no link with {needle} in {text}"))
        .to_string()
}

/// Runs the binary with arguments; returns (success, stdout, stderr).
pub fn run(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every route of THE route table (`src/app.rs`), read from its source so that a new route
/// is covered by the edge tests the day it is added: (method, path with sample values).
/// `{slug}` becomes `slug`, other parameters `999` (`{file:.*}` becomes `x`).
pub fn route_table(slug: &str) -> Vec<(String, String)> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/app.rs")).unwrap();
    let mut routes = Vec::new();
    let mut rest = src.as_str();
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        let Some(open) = rest.find('"') else { break };
        let Some(close) = rest[open + 1..].find('"') else {
            break;
        };
        let path = &rest[open + 1..open + 1 + close];
        let after = rest[open + 1 + close + 1..].trim_start_matches([',', ' ', '\n']);
        let method: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let mut sample = String::new();
        let mut chars = path.chars();
        while let Some(c) = chars.next() {
            if c == '{' {
                let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                sample.push_str(match name.as_str() {
                    "slug" => slug,
                    n if n.starts_with("file") => "x",
                    _ => "999",
                });
            } else {
                sample.push(c);
            }
        }
        routes.push((method.to_uppercase(), sample));
    }
    assert!(
        routes.len() > 50,
        "the route table was not found in src/app.rs"
    );
    routes
}

/// Creates a public page of the directory through its form; returns its slug.
pub fn new_actor(c: &Client, name: &str, kind: &str, type_: &str) -> String {
    let page = c.get("/directory/new");
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", kind),
        ("type", type_),
        ("name", name),
        ("visibility", "public"),
    ];
    for empty in [
        "summary",
        "description",
        "tags",
        "address",
        "lat",
        "lon",
        "phone",
        "website",
        "social",
        "capacity",
        "parent",
    ] {
        fields.push((empty, ""));
    }
    let r = c.post_form("/directory/new", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().trim_start_matches("/a/").to_string()
}

/// Runs a Python `script` (the tests' Python: `PLACETTE_TEST_PYTHON`, else python3) with
/// `args`, writing `stdin` to it; panics, saying `what` refused and why, when it fails.
/// Returns what it printed. The one way the tests hand our output to a real parser
/// (`icalendar`, `recurring-ical-events`, ElementTree...).
pub fn run_python(script: &str, args: &[&str], stdin: &str, what: &str) -> Vec<u8> {
    use std::io::Write;
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what} (is it installed? `make test-deps`):\n{}\n{stdin}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// [`run_python`] for a script that prints JSON.
pub fn python_json<T: serde::de::DeserializeOwned>(
    script: &str,
    args: &[&str],
    stdin: &str,
    what: &str,
) -> T {
    serde_json::from_slice(&run_python(script, args, stdin, what)).unwrap()
}

/// Imports the address base sample (`tests/data/adresses-49-sample.csv`: the commune
/// Saint-Placide-sur-Loire) into a data directory with `placette import ban`; returns its path.
pub fn import_sample_addresses(data: &Path) -> PathBuf {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/adresses-49-sample.csv");
    let (ok, out, err) = run(
        &[
            "import",
            "ban",
            sample.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    sample
}
