//! Proposals and votes (issue 22): a page (or the village) opens a proposal with a text, a
//! discussion period, then a vote until a deadline. During the discussion, anyone who may vote
//! proposes amendments, which the author accepts (the text changes, the former one is kept) or
//! declines. Two methods: yes / no / abstain with a quorum and a majority threshold, and
//! majority judgement among options ([`judgement`]). One ballot per person (a UNIQUE key),
//! changeable until the deadline and refused after it, inside the write transaction. The
//! server counts once at the deadline ([`tasks`], or the first read after it) and keeps the
//! result; a secret ballot never shows who voted what, and its voter-ballot link is cut at the
//! count.

pub mod api;
pub mod count;
pub mod demo;
pub mod form;
pub mod handlers;
pub mod ics;
pub mod judgement;
pub mod search;
pub mod store;
pub mod tasks;
pub mod views;
pub mod village;

use serde::Serialize;

use crate::auth::User;
use crate::directory::{Access, Visibility};

/// Longest title, in characters.
pub const MAX_TITLE: usize = 150;
/// Longest text of a proposal or an amendment, in characters.
pub const MAX_BODY: usize = 20_000;
/// Longest note with an amendment, in characters.
pub const MAX_NOTE: usize = 1_000;
/// Most options of a majority judgement.
pub const MAX_OPTIONS: usize = 20;
/// Longest option label, in characters.
pub const MAX_LABEL: usize = 150;
/// The latest deadline accepted: two years ahead.
pub const MAX_AHEAD: i64 = 2 * 366 * 86_400;

/// How the proposal is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Yes / no / abstain, with a quorum and a threshold.
    YesNo,
    /// Every option graded from « Excellent » to « À rejeter »; the best majority grade wins.
    Judgement,
}

impl Method {
    /// Both methods.
    pub const ALL: [Method; 2] = [Method::YesNo, Method::Judgement];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::YesNo => "yes_no",
            Method::Judgement => "judgement",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The share of yes among yes + no a yes/no proposal needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// More than half.
    Half,
    /// At least two thirds.
    TwoThirds,
}

impl Threshold {
    /// Both thresholds.
    pub const ALL: [Threshold; 2] = [Threshold::Half, Threshold::TwoThirds];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Threshold::Half => "half",
            Threshold::TwoThirds => "two_thirds",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Threshold> {
        Threshold::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether `yes` out of `yes + no` expressed passes.
    pub fn passes(self, yes: u64, no: u64) -> bool {
        let expressed = yes + no;
        expressed > 0
            && match self {
                Threshold::Half => 2 * yes > expressed,
                Threshold::TwoThirds => 3 * yes >= 2 * expressed,
            }
    }
}

/// Where a proposal is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Discussion,
    Voting,
    Closed,
}

impl Phase {
    /// The stored name, also the translation key's last part.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Discussion => "discussion",
            Phase::Voting => "voting",
            Phase::Closed => "closed",
        }
    }
}

/// An option of a majority judgement.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub id: i64,
    pub position: i64,
    pub label: String,
}

/// The page that opened a proposal.
#[derive(Clone, Debug)]
pub struct Owner {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub visibility: Visibility,
}

/// A proposal as shown.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub id: i64,
    /// `None` for the village's own proposals.
    pub actor: Option<Owner>,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub title: String,
    pub body: String,
    pub method: Method,
    pub quorum_pct: i64,
    pub threshold: Threshold,
    pub secret: bool,
    pub vote_start: i64,
    pub deadline: i64,
    pub hidden: bool,
    pub created_at: i64,
    /// The place it is about, as typed ("" for none), and its point.
    pub place: String,
    pub point: Option<(f64, f64)>,
    pub options: Vec<Choice>,
}

impl Proposal {
    /// The permalink.
    pub fn url(&self) -> String {
        format!("/votes/{}", self.id)
    }

    /// Where it is at `now`.
    pub fn phase(&self, now: i64) -> Phase {
        phase_at(self.vote_start, self.deadline, now)
    }

    /// Whether everyone may read it (a village proposal or a public page's, not hidden).
    pub fn is_public(&self) -> bool {
        !self.hidden
            && self
                .actor
                .as_ref()
                .is_none_or(|a| a.visibility == Visibility::Public)
    }
}

/// The phase of a proposal voted on from `vote_start` until `deadline`.
pub fn phase_at(vote_start: i64, deadline: i64, now: i64) -> Phase {
    if now < vote_start {
        Phase::Discussion
    } else if now < deadline {
        Phase::Voting
    } else {
        Phase::Closed
    }
}

/// A line of the list.
#[derive(Clone, Debug)]
pub struct Summary {
    pub id: i64,
    pub title: String,
    pub actor: Option<(String, String)>,
    pub vote_start: i64,
    pub deadline: i64,
    pub voters: i64,
    pub outcome: Option<String>,
}

/// An amendment's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmendmentStatus {
    Pending,
    Accepted,
    Declined,
}

impl AmendmentStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            AmendmentStatus::Pending => "pending",
            AmendmentStatus::Accepted => "accepted",
            AmendmentStatus::Declined => "declined",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> AmendmentStatus {
        match s {
            "accepted" => AmendmentStatus::Accepted,
            "declined" => AmendmentStatus::Declined,
            _ => AmendmentStatus::Pending,
        }
    }
}

/// An amendment: the whole text as it would read, and why.
#[derive(Clone, Debug)]
pub struct Amendment {
    pub id: i64,
    pub proposal_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub note: String,
    pub status: AmendmentStatus,
    pub hidden: bool,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// A former (or the current) text of a proposal.
#[derive(Clone, Debug)]
pub struct Revision {
    pub id: i64,
    pub body: String,
    pub amendment_id: Option<i64>,
    pub created_at: i64,
}

/// An option's place in a majority judgement's result.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Ranked {
    pub option: i64,
    pub label: String,
    /// Its majority grade (6 Excellent .. 0 À rejeter); `None` without any ballot.
    pub grade: Option<u8>,
    /// Ballots per grade, index = grade.
    pub counts: [u64; judgement::GRADES],
}

/// The result kept at the deadline.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub eligible: i64,
    pub voters: i64,
    /// 'adopted', 'rejected', 'no_quorum', 'chosen' or 'none'.
    pub outcome: String,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    pub ranking: Vec<Ranked>,
    pub computed_at: i64,
}

impl Outcome {
    /// Turnout in percent of the eligible voters (one decimal).
    pub fn turnout_pct(&self) -> f64 {
        if self.eligible <= 0 {
            return 0.0;
        }
        (self.voters as f64 * 1000.0 / self.eligible as f64).round() / 10.0
    }
}

/// Open a proposal: for the village, the site's admins; for a page, its members and the
/// site's admins.
pub fn can_open(user: &User, page: Option<&Access>) -> bool {
    match page {
        None => user.is_admin(),
        Some(a) => a.member || a.site_admin,
    }
}

/// Vote and propose amendments: any signed-in resident for the village's proposals, the
/// page's active members for a page's.
pub fn may_vote(page: Option<&Access>) -> bool {
    page.is_none_or(|a| a.member)
}

/// Accept or decline amendments: the proposal's author, and the site's admins when it has
/// no author any more.
pub fn can_decide(user: &User, p: &Proposal) -> bool {
    p.author_id == Some(user.id) || (p.author_id.is_none() && user.is_admin())
}
