//! The import on real-world calendars (issue 17): every `.ics` published with the Python packages
//! `icalendar` and `recurring-ical-events` (`make test` downloads their pinned sdists and points
//! `PLACETTE_ICAL_CORPUS` at the files) is uploaded to the real binary, one organisation page per
//! file; each event's dates over two years from its first start, read back through the API, are
//! compared with those of `recurring-ical-events` (`tests/support/ical_reference.py`).
//!
//! Every event either has exactly the reference's dates, or the import report says it was
//! adjusted or refused, with a reason. Nothing is dropped silently, no answer is a 5xx and no
//! connection is dropped. The figures are printed and written to `target/ical-corpus/report.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

use crate::support::*;

/// The village's zone (the setup form's): floating times and all-day dates are read in it.
const ZONE: &str = "Europe/Paris";
/// The window compared, from each event's first start.
const DAYS: i64 = 730;
/// Files imported at once.
const WORKERS: usize = 4;
/// Reason codes of the report that cannot explain a difference of dates.
const NOT_ABOUT_DATES: &[&str] = &["no_uid"];

/// What became of one event (one UID) of the reference.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    /// Placette's dates are the reference's.
    Exact,
    /// Dates differ, and the report says the event was adjusted, with a reason.
    Adjusted(String),
    /// Refused (the event, or the whole file), with a reason.
    Refused(String),
    /// What the test fails on.
    Failure(String),
}

/// One reference event and its verdict.
struct Row {
    file: String,
    uid: String,
    title: String,
    series: bool,
    verdict: Verdict,
}

/// One file's result.
#[derive(Default)]
struct FileResult {
    /// The reference could not read the file.
    reference_error: String,
    /// Placette refused the whole file (its message).
    refused: Option<String>,
    rows: Vec<Row>,
    /// Private events: listed as refused, never imported (or a failure).
    private_refused: usize,
    /// Rows of the report that match no reference event (files the reference cannot read...).
    extra: Vec<String>,
    /// 5xx, dropped connections, missing report: what fails the test at file level.
    failures: Vec<String>,
}

#[test]
fn every_published_calendar_imports_with_the_reference_dates_or_says_why_not() {
    let Some(corpus) = std::env::var_os("PLACETTE_ICAL_CORPUS") else {
        eprintln!(
            "skipped: PLACETTE_ICAL_CORPUS is not set (`make test` downloads the iCalendar corpus)"
        );
        return;
    };
    let corpus = PathBuf::from(corpus);
    let started = Instant::now();
    let reference = reference(&corpus);
    let files: Vec<(String, Value)> = reference["files"]
        .as_object()
        .expect("the reference's files")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(
        files.len() > 200,
        "{} files in {}: is the corpus complete?",
        files.len(),
        corpus.display()
    );

    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, String, FileResult)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((name, refr)) = files.get(i) else {
                    break;
                };
                let c = Client {
                    base: admin.base.clone(),
                    agent: admin.agent.clone(),
                };
                let r = one_file(&c, i, &corpus.join(name), name, refr);
                results.lock().unwrap().push((i, name.clone(), r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    let alive = server
        .child
        .try_wait()
        .map(|st| st.is_none())
        .unwrap_or(false);
    drop(server);

    let report = summarise(&results, started.elapsed().as_secs());
    println!("{report}");
    let out = corpus.parent().unwrap_or(Path::new(".")).join("report.txt");
    std::fs::write(&out, &report).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));

    assert!(alive, "the server died during the corpus run");
    let failures: Vec<String> = results
        .iter()
        .flat_map(|(_, name, r)| {
            r.failures
                .iter()
                .map(move |f| format!("{name}: {f}"))
                .chain(r.rows.iter().filter_map(move |row| match &row.verdict {
                    Verdict::Failure(why) => {
                        Some(format!("{name}: {} «{}»: {why}", row.uid, row.title))
                    }
                    _ => None,
                }))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures (all in {}):\n{}",
        failures.len(),
        out.display(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Runs `tests/support/ical_reference.py` over the corpus.
fn reference(corpus: &Path) -> Value {
    let python = std::env::var("PLACETTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ical_reference.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(corpus)
        .args(["--zone", ZONE, "--days", &DAYS.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "the reference failed (is recurring-ical-events installed? `make test-deps`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reference's JSON")
}

/// A request's answer, or why there was none (a dropped connection, a timeout).
fn call(req: ureq::Request, body: Option<&[u8]>) -> Result<Resp, String> {
    let r = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    match r {
        Ok(_) | Err(ureq::Error::Status(..)) => Ok(Resp::from(r)),
        Err(e) => Err(format!("no answer: {e}")),
    }
}

/// GET through the client, with the status checked for 5xx.
fn get(c: &Client, path: &str) -> Result<Resp, String> {
    let r = call(c.agent.get(&format!("{}{path}", c.base)), None)?;
    if r.status >= 500 {
        return Err(format!("GET {path}: {}", r.status));
    }
    Ok(r)
}

/// POSTs the file through the import form as a browser does (multipart, CSRF in the query).
fn upload(c: &Client, slug: &str, bytes: &[u8]) -> Result<Resp, String> {
    let page = get(c, &format!("/a/{slug}/agenda/import"))?;
    if page.status != 200 {
        return Err(format!("the import page answers {}", page.status));
    }
    let boundary = "----placette-corpus-boundary-7f3a9c";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"url\"\r\n\r\n\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"agenda.ics\"\r\n\
         Content-Type: text/calendar\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = c
        .agent
        .post(&format!(
            "{}/a/{slug}/agenda/import?_csrf={}",
            c.base,
            page.csrf()
        ))
        .set(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        );
    call(req, Some(&body))
}

/// The message of a re-rendered form (its error summary), without tags.
fn form_error(body: &str) -> String {
    let Some(i) = body.find("error-summary") else {
        return String::new();
    };
    let rest = &body[i..];
    let rest = &rest[rest.find('>').map_or(0, |j| j + 1)..];
    let end = rest.find("</div>").unwrap_or(rest.len());
    let mut text = String::new();
    let mut in_tag = false;
    for ch in rest[..end].chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A report row's reasons as one line ("code: text; ...").
/// Only reasons with a text count: a bare code is not a reason shown to the page's managers.
fn reasons(row: &Value) -> String {
    row["reasons"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| !r["text"].as_str().unwrap_or("").trim().is_empty())
                .map(|r| {
                    format!(
                        "{}: {}",
                        r["code"].as_str().unwrap_or(""),
                        r["text"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// The codes of a row's reasons that have no text.
fn bare_codes(row: &Value) -> Vec<String> {
    row["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["text"].as_str().unwrap_or("").trim().is_empty())
        .map(|r| r["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn epoch(rfc3339: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|d| d.timestamp())
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Dates as compared: (start, end) of the scheduled ones, starts of the cancelled ones.
#[derive(Debug, Default, PartialEq)]
struct Dates {
    scheduled: BTreeSet<(i64, i64)>,
    cancelled: BTreeSet<i64>,
}

impl Dates {
    /// What differs from `other` (the reference), in a few words.
    fn diff(&self, reference: &Dates) -> String {
        let mut out = Vec::new();
        let missing: Vec<_> = reference.scheduled.difference(&self.scheduled).collect();
        let extra: Vec<_> = self.scheduled.difference(&reference.scheduled).collect();
        if let Some((s, e)) = missing.first() {
            out.push(format!(
                "{} dates missing (first {}–{})",
                missing.len(),
                rfc3339(*s),
                rfc3339(*e)
            ));
        }
        if let Some((s, e)) = extra.first() {
            out.push(format!(
                "{} dates not in the reference (first {}–{})",
                extra.len(),
                rfc3339(*s),
                rfc3339(*e)
            ));
        }
        if self.cancelled != reference.cancelled {
            out.push(format!(
                "cancelled dates {:?} instead of {:?}",
                self.cancelled
                    .iter()
                    .map(|t| rfc3339(*t))
                    .collect::<Vec<_>>(),
                reference
                    .cancelled
                    .iter()
                    .map(|t| rfc3339(*t))
                    .collect::<Vec<_>>()
            ));
        }
        format!(
            "{} ({} reference dates, {} here)",
            out.join(", "),
            reference.scheduled.len(),
            self.scheduled.len()
        )
    }
}

fn reference_dates(ev: &Value) -> Dates {
    let mut d = Dates::default();
    for o in ev["occurrences"].as_array().into_iter().flatten() {
        let (s, e) = (o["start"].as_i64().unwrap(), o["end"].as_i64().unwrap());
        if o["cancelled"].as_bool().unwrap_or(false) {
            d.cancelled.insert(s);
        } else {
            d.scheduled.insert((s, e));
        }
    }
    d
}

/// An imported event's dates in [from, to) through the API (its status cancels them all).
fn placette_dates(c: &Client, slug: &str, from: i64, to: i64) -> Result<Dates, String> {
    let path = format!(
        "/api/v1/events/{slug}?from={}&to={}",
        rfc3339(from),
        rfc3339(to)
    );
    let r = get(c, &path)?;
    if r.status != 200 {
        return Err(format!("GET {path}: {}", r.status));
    }
    let v: Value = serde_json::from_str(&r.body).map_err(|e| format!("GET {path}: {e}"))?;
    let all_cancelled = v["status"].as_str() == Some("cancelled");
    let mut d = Dates::default();
    for date in v["dates"].as_array().into_iter().flatten() {
        let start = date["start"].as_str().and_then(epoch);
        let end = date["end"].as_str().and_then(epoch);
        let (Some(s), Some(e)) = (start, end) else {
            return Err(format!("GET {path}: unreadable date {date}"));
        };
        if !(from..to).contains(&s) {
            continue;
        }
        if all_cancelled || date["cancelled"].as_bool().unwrap_or(false) {
            d.cancelled.insert(s);
        } else {
            d.scheduled.insert((s, e));
        }
    }
    Ok(d)
}

/// Uploads one file to a page of its own and judges each of its events.
fn one_file(c: &Client, i: usize, path: &Path, name: &str, refr: &Value) -> FileResult {
    let mut res = FileResult {
        reference_error: refr["error"].as_str().unwrap_or("").to_string(),
        ..FileResult::default()
    };
    let events: Vec<&Value> = refr["events"].as_array().into_iter().flatten().collect();
    let private: Vec<&Value> = refr["private"].as_array().into_iter().flatten().collect();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let slug = new_actor(
        c,
        &format!("Agenda importé {i:03}"),
        "organisation",
        "association",
    );

    let row = |ev: &Value, verdict: Verdict| Row {
        file: name.to_string(),
        uid: ev["uid"].as_str().unwrap_or("(no UID)").to_string(),
        title: ev["summary"].as_str().unwrap_or("").to_string(),
        series: ev["series"].as_bool().unwrap_or(false),
        verdict,
    };
    let r = match upload(c, &slug, &bytes) {
        Ok(r) => r,
        Err(e) => {
            res.failures.push(format!("upload: {e}"));
            return res;
        }
    };
    if r.status >= 500 {
        res.failures.push(format!("upload: {}", r.status));
        return res;
    }
    if r.status != 303 {
        // The whole file refused: the form again, with its message.
        let msg = form_error(&r.body);
        if msg.is_empty() {
            res.failures.push(format!(
                "upload answered {} without a message on the form",
                r.status
            ));
        } else {
            res.rows = events
                .iter()
                .map(|ev| row(ev, Verdict::Refused(format!("file: {msg}"))))
                .collect();
            res.private_refused = private.len();
        }
        res.refused = Some(msg);
        return res;
    }

    // The report of the page's one source.
    let page = match get(c, &format!("/a/{slug}/agenda/import")) {
        Ok(p) => p,
        Err(e) => {
            res.failures.push(e);
            return res;
        }
    };
    let Some(link) = page
        .body
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| {
            h.starts_with(&format!("/a/{slug}/agenda/import/")) && h.ends_with("/report.json")
        })
        .map(str::to_string)
    else {
        res.failures
            .push("no link to a report.json on the import page".into());
        return res;
    };
    let report: Value = match get(c, &link) {
        Ok(r) if r.status == 200 => match serde_json::from_str(&r.body) {
            Ok(v) => v,
            Err(e) => {
                res.failures.push(format!("{link}: not JSON ({e})"));
                return res;
            }
        },
        Ok(r) => {
            res.failures.push(format!("{link}: {}", r.status));
            return res;
        }
        Err(e) => {
            res.failures.push(e);
            return res;
        }
    };
    let file_error = report["error"].as_str().unwrap_or("").to_string();
    let rows: Vec<&Value> = report["events"].as_array().into_iter().flatten().collect();
    if !file_error.is_empty() && rows.is_empty() {
        res.rows = events
            .iter()
            .map(|ev| row(ev, Verdict::Refused(format!("file: {file_error}"))))
            .collect();
        res.private_refused = private.len();
        res.refused = Some(file_error);
        return res;
    }

    let uid_of = |r: &Value| r["uid"].as_str().unwrap_or("").trim().to_string();
    let mut used = vec![false; rows.len()];
    // Reference events by UID first; the rows of events without one by title, afterwards.
    let mut matched: Vec<Vec<usize>> = Vec::new();
    for ev in &events {
        let mut idx = Vec::new();
        if let Some(uid) = ev["uid"].as_str() {
            for (j, r) in rows.iter().enumerate() {
                if !used[j] && uid_of(r) == uid.trim() {
                    used[j] = true;
                    idx.push(j);
                }
            }
        }
        matched.push(idx);
    }
    for p in &private {
        let Some(uid) = p["uid"].as_str() else {
            continue;
        };
        let mut seen = false;
        for (j, r) in rows.iter().enumerate() {
            if !used[j] && uid_of(r) == uid.trim() {
                used[j] = true;
                seen = true;
                if r["outcome"].as_str() == Some("refused") && r["event"].is_null() {
                    res.private_refused += 1;
                } else {
                    res.failures.push(format!(
                        "private event {uid} is {} (it must be refused, never imported)",
                        r["outcome"]
                    ));
                }
            }
        }
        if !seen {
            res.failures.push(format!(
                "private event {uid} is not in the report (it must be listed as refused)"
            ));
        }
    }
    // Events without a UID (Placette makes one up): by title, then the rows left in file order.
    let no_uid: Vec<usize> = (0..events.len())
        .filter(|&k| events[k]["uid"].is_null())
        .collect();
    for &k in &no_uid {
        let title = events[k]["summary"].as_str().unwrap_or("").trim();
        if title.is_empty() {
            continue;
        }
        if let Some(j) = (0..rows.len())
            .find(|&j| !used[j] && rows[j]["title"].as_str().unwrap_or("").trim() == title)
        {
            used[j] = true;
            matched[k].push(j);
        }
    }
    for &k in &no_uid {
        if matched[k].is_empty() {
            if let Some(j) = (0..rows.len()).find(|&j| !used[j]) {
                used[j] = true;
                matched[k].push(j);
            }
        }
    }
    // Several events without a UID that Placette cannot tell apart (two empty VEVENTs, two
    // copies) may share one row, when that row says so: refused, or merged as a duplicate. The
    // row of the nearest such event before it.
    let shareable = |j: usize| {
        rows[j]["outcome"].as_str() == Some("refused")
            || rows[j]["reasons"]
                .as_array()
                .is_some_and(|rs| rs.iter().any(|r| r["code"] == "duplicate"))
    };
    for (n, &k) in no_uid.iter().enumerate() {
        if matched[k].is_empty() {
            let near = no_uid[..n]
                .iter()
                .rev()
                .find_map(|&p| matched[p].iter().copied().find(|&j| shareable(j)));
            if let Some(j) = near {
                matched[k].push(j);
            }
        }
    }
    res.extra = (0..rows.len())
        .filter(|&j| !used[j])
        .map(|j| {
            let r = rows[j];
            format!(
                "{} «{}»: {} {}",
                uid_of(r),
                r["title"].as_str().unwrap_or(""),
                r["outcome"].as_str().unwrap_or(""),
                reasons(r)
            )
        })
        .collect();

    for (ev, idx) in events.iter().zip(&matched) {
        let verdict = judge(c, ev, &idx.iter().map(|&j| rows[j]).collect::<Vec<_>>());
        res.rows.push(row(ev, verdict));
    }
    res
}

/// The verdict on one reference event, given its rows in the report.
fn judge(c: &Client, ev: &Value, rows: &[&Value]) -> Verdict {
    if rows.is_empty() {
        return Verdict::Failure("not in the import report (dropped silently)".into());
    }
    let slugs: Vec<&str> = rows.iter().filter_map(|r| r["event"].as_str()).collect();
    let why = rows
        .iter()
        .map(|r| reasons(r))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" / ");
    let bare: Vec<String> = rows.iter().flat_map(|r| bare_codes(r)).collect();
    let no_reason = if bare.is_empty() {
        "without a reason".to_string()
    } else {
        format!("without a reason (codes without text: {})", bare.join(", "))
    };
    let outcomes: Vec<&str> = rows
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or(""))
        .collect();
    if let Some(bad) = outcomes
        .iter()
        .find(|o| !["kept", "adjusted", "refused"].contains(o))
    {
        return Verdict::Failure(format!("unknown outcome {bad:?} in the report"));
    }
    if slugs.is_empty() {
        if outcomes.iter().all(|o| *o == "refused") {
            return if why.is_empty() {
                Verdict::Failure(format!("refused {no_reason}"))
            } else {
                Verdict::Refused(why)
            };
        }
        return Verdict::Failure(format!("{outcomes:?} but no event in the report"));
    }
    // The reference cannot expand it: a broken event (two DTSTART, an unreadable rule, another
    // calendar scale...). Importing it is fine only if the report says how it was read.
    let reference_error = ev["error"].as_str().unwrap_or("");
    if !reference_error.is_empty() {
        return if outcomes.iter().any(|o| *o != "kept") && !why.is_empty() {
            Verdict::Adjusted(format!(
                "{why} [not compared: the reference cannot expand it: {reference_error}]"
            ))
        } else {
            Verdict::Failure(format!(
                "{outcomes:?} {no_reason}, but the reference cannot expand it: {reference_error}"
            ))
        };
    }
    let (from, to) = (ev["from"].as_i64().unwrap(), ev["to"].as_i64().unwrap());
    let mut here = Dates::default();
    for slug in &slugs {
        match placette_dates(c, slug, from - 59, to) {
            Ok(d) => {
                here.scheduled.extend(d.scheduled);
                here.cancelled.extend(d.cancelled);
            }
            Err(e) => return Verdict::Failure(e),
        }
    }
    let reference = reference_dates(ev);
    if here == reference {
        return Verdict::Exact;
    }
    let diff = here.diff(&reference);
    let reported = outcomes.iter().any(|o| *o == "adjusted" || *o == "refused");
    // A made-up UID explains no date: the dates must differ for a reason about dates.
    let about_dates = rows.iter().any(|r| {
        r["reasons"].as_array().is_some_and(|rs| {
            rs.iter().any(|x| {
                !NOT_ABOUT_DATES.contains(&x["code"].as_str().unwrap_or(""))
                    && !x["text"].as_str().unwrap_or("").trim().is_empty()
            })
        })
    });
    if reported && about_dates {
        Verdict::Adjusted(format!("{why} [{diff}]"))
    } else if reported && !why.is_empty() {
        Verdict::Failure(format!(
            "dates differ, {outcomes:?} for a reason that is not about dates ({why}): {diff}"
        ))
    } else if reported {
        Verdict::Failure(format!("dates differ, {outcomes:?} {no_reason}: {diff}"))
    } else {
        Verdict::Failure(format!("dates differ, unreported: {diff}"))
    }
}

/// The table, then the details: what was adjusted and refused (by reason), what failed.
fn summarise(results: &[(usize, String, FileResult)], seconds: u64) -> String {
    let rows: Vec<&Row> = results.iter().flat_map(|r| r.2.rows.iter()).collect();
    let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
    let exact = count(&|r| r.verdict == Verdict::Exact);
    let adjusted = count(&|r| matches!(r.verdict, Verdict::Adjusted(_)));
    let refused = count(&|r| matches!(r.verdict, Verdict::Refused(_)));
    let failed = count(&|r| matches!(r.verdict, Verdict::Failure(_)));
    let series = count(&|r| r.series);
    let series_exact = count(&|r| r.series && r.verdict == Verdict::Exact);
    let file_failures: usize = results.iter().map(|r| r.2.failures.len()).sum();
    let files_refused = results.iter().filter(|r| r.2.refused.is_some()).count();
    let reference_errors = results
        .iter()
        .filter(|r| !r.2.reference_error.is_empty())
        .count();
    let private: usize = results.iter().map(|r| r.2.private_refused).sum();
    let extra: usize = results.iter().map(|r| r.2.extra.len()).sum();

    let mut s = String::new();
    let _ = writeln!(
        s,
        "iCalendar corpus: {} files, dates over {DAYS} days from each event's first start, \
         compared with recurring-ical-events ({seconds} s)\n",
        results.len()
    );
    let _ = writeln!(
        s,
        "| files | events (UIDs) | series | exact | series exact | adjusted | refused | mismatches unreported |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        results.len(),
        rows.len(),
        series,
        exact,
        series_exact,
        adjusted,
        refused,
        failed
    );
    let _ = writeln!(
        s,
        "files refused whole (message on the form or in the report): {files_refused}"
    );
    let _ = writeln!(s, "files the reference cannot read: {reference_errors}");
    let _ = writeln!(s, "private events listed as refused: {private}");
    let _ = writeln!(s, "report rows matching no reference event: {extra}");
    let _ = writeln!(
        s,
        "file-level failures (5xx, no answer, no report, private imported): {file_failures}"
    );

    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        if let Verdict::Adjusted(w) | Verdict::Refused(w) = &r.verdict {
            let kind = if matches!(r.verdict, Verdict::Adjusted(_)) {
                "adjusted"
            } else {
                "refused"
            };
            let key: String = w
                .split(" [")
                .next()
                .unwrap_or("")
                .chars()
                .take(120)
                .collect();
            *by_reason.entry(format!("{kind} · {key}")).or_default() += 1;
        }
    }
    let _ = writeln!(s, "\nadjusted and refused, by reason:");
    for (k, n) in &by_reason {
        let _ = writeln!(s, "  {n:5}  {k}");
    }
    let _ = writeln!(s, "\nfailures:");
    for (_, name, r) in results {
        for f in &r.failures {
            let _ = writeln!(s, "  {name}: {f}");
        }
    }
    for r in &rows {
        if let Verdict::Failure(w) = &r.verdict {
            let _ = writeln!(s, "  {}: {} «{}»: {w}", r.file, r.uid, r.title);
        }
    }
    let _ = writeln!(s, "\nadjusted (with the difference):");
    for r in &rows {
        if let Verdict::Adjusted(w) = &r.verdict {
            let _ = writeln!(s, "  {}: {} «{}»: {w}", r.file, r.uid, r.title);
        }
    }
    let _ = writeln!(
        s,
        "\nreport rows matching no reference event (not compared):"
    );
    for (_, name, r) in results {
        for x in &r.extra {
            let _ = writeln!(s, "  {name}: {x}");
        }
    }
    s
}
