//! The votes' writes in the crash harness (a child of `crash`, which it shares the ledger and
//! the writers with): the admin opens village proposals (open to the vote at once) and casts
//! or changes their ballot. After each restart: every acknowledged proposal is there with its
//! text; the admin's ballot is the last acknowledged one or a later one that was sent (its
//! answer cut by the kill); never more than one ballot per proposal.

use super::*;

/// A village proposal whose opening was acknowledged, and the admin's ballots on it. Only
/// the writer of the same index votes on it, so its ballots are sent one after the other.
#[derive(Clone)]
pub(super) struct ProposalLog {
    id: i64,
    word: String,
    cycle: usize,
    writer: usize,
    /// The last acknowledged ballot.
    acked: Option<&'static str>,
    /// Ballots sent since then whose answer did not come (each may have been committed).
    sent: Vec<&'static str>,
    /// The last cycle in which a ballot was sent.
    touched: usize,
}

/// A Unix time as the form's `datetime-local` value in the village's zone.
fn local(t: i64) -> String {
    use chrono::TimeZone;
    chrono_tz::Europe::Paris
        .timestamp_opt(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

fn label(choice: &str) -> &'static str {
    match choice {
        "yes" => "Oui",
        "no" => "Non",
        _ => "Abstention",
    }
}

impl Writer {
    fn admin_token(&mut self) -> Result<String, Cut> {
        if self.admin_csrf.is_none() {
            self.admin_csrf = Some(Self::csrf(&self.shared.admin, &self.url("/account"))?);
        }
        Ok(self.admin_csrf.clone().unwrap_or_default())
    }

    /// A village proposal through the form, as the admin, open to the vote for 30 days.
    pub(super) fn proposal(&mut self) -> Result<(), Cut> {
        let csrf = self.admin_token()?;
        let word = self.rng.word();
        let title = format!("Crashvote {word}");
        let now = chrono::Utc::now().timestamp();
        let r = self.shared.admin.post(&self.url("/votes/new")).send_form(&[
            ("_csrf", &csrf),
            ("title", &title),
            ("body", &format!("crashvote {word}")),
            ("method", "yes_no"),
            ("options", ""),
            ("quorum", "0"),
            ("threshold", "half"),
            ("ballot", "secret"),
            ("vote_start", &local(now)),
            ("deadline", &local(now + 30 * 86_400)),
        ]);
        match outcome(r) {
            Outcome::Answered {
                status: 303,
                location,
                ..
            } if location.starts_with("/votes/") => {
                let Ok(id) = location["/votes/".len()..].parse() else {
                    return Err(format!("unexpected answer 303 {location} to a proposal"));
                };
                self.shared
                    .ledger
                    .lock()
                    .unwrap()
                    .proposals
                    .push(ProposalLog {
                        id,
                        word,
                        cycle: self.cycle,
                        writer: self.t,
                        acked: None,
                        sent: Vec::new(),
                        touched: self.cycle,
                    });
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the proposal {title}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }

    /// The admin casts or changes their ballot on one of this writer's proposals (a proposal
    /// first when it has none).
    pub(super) fn ballot(&mut self) -> Result<(), Cut> {
        let choice = ["yes", "no", "abstain"][self.rng.below(3) as usize];
        let target = {
            let mut l = self.shared.ledger.lock().unwrap();
            let mine: Vec<usize> = (0..l.proposals.len())
                .filter(|i| l.proposals[*i].writer == self.t)
                .collect();
            let pick = (!mine.is_empty()).then(|| mine[self.rng.below(mine.len() as u64) as usize]);
            if let Some(i) = pick {
                let p = &mut l.proposals[i];
                p.sent.push(choice);
                p.touched = self.cycle;
            }
            pick.map(|i| (i, l.proposals[i].id))
        };
        let Some((index, id)) = target else {
            return self.proposal();
        };
        let csrf = self.admin_token()?;
        let r = self
            .shared
            .admin
            .post(&self.url(&format!("/votes/{id}/vote")))
            .send_form(&[("_csrf", &csrf), ("choice", choice)]);
        match outcome(r) {
            Outcome::Answered { status: 303, .. } => {
                let mut l = self.shared.ledger.lock().unwrap();
                let p = &mut l.proposals[index];
                p.acked = Some(choice);
                p.sent.clear();
                Ok(())
            }
            Outcome::Answered {
                status,
                location,
                body,
            } => Err(format!(
                "unexpected answer {status} {location} to the ballot on /votes/{id}: {}",
                snippet(&body)
            )),
            Outcome::Cut(e) => Err(e),
        }
    }
}

/// The admin's ballot as their page shows it.
fn shown_ballot(body: &str) -> Option<String> {
    let marker = "Votre vote : <strong>";
    let start = body.find(marker)? + marker.len();
    Some(body[start..].split('<').next()?.to_string())
}

/// Checks the proposals opened or voted on in `cycle`, or all of them.
pub(super) fn verify_proposals(
    admin: &Client,
    ledger: &Ledger,
    cycle: Option<usize>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for p in &ledger.proposals {
        if cycle.is_some_and(|c| p.cycle != c && p.touched != c) {
            continue;
        }
        let page = admin.get(&format!("/votes/{}", p.id));
        if page.status != 200 || !page.body.contains(&p.word) {
            problems.push(format!(
                "proposal {} ({}, acknowledged in cycle {}) answers {} without its text",
                p.id, p.word, p.cycle, page.status
            ));
            continue;
        }
        let shown = shown_ballot(&page.body);
        let allowed: Vec<&str> = p
            .acked
            .iter()
            .chain(p.sent.iter())
            .map(|c| label(c))
            .collect();
        let ok = match &shown {
            None => p.acked.is_none(),
            Some(s) => allowed.contains(&s.as_str()),
        };
        if !ok {
            problems.push(format!(
                "proposal {}: the admin's ballot shows {shown:?}, acknowledged {:?}, sent since {:?}",
                p.id, p.acked, p.sent
            ));
        }
        let api = json(&admin.get(&format!("/api/v1/proposals/{}", p.id)));
        let voters = api["voters"].as_i64().unwrap_or(-1);
        if voters != i64::from(shown.is_some()) {
            problems.push(format!(
                "proposal {}: {voters} ballots, the admin's being {shown:?} (one at most)",
                p.id
            ));
        }
    }
    problems
}

/// The line the harness prints at the end.
pub(super) fn summary(l: &Ledger) -> String {
    let ballots = l.proposals.iter().filter(|p| p.acked.is_some()).count();
    format!(
        "{} proposals acknowledged, {ballots} with an acknowledged ballot, all present, one \
         ballot each at most",
        l.proposals.len()
    )
}
