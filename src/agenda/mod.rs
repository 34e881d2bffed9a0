//! The agenda: events, their recurrence, pages and feeds (issue 6).
//!
//! An event is stored once with its first start and end as local wall time in the instance's
//! zone *and* as UTC seconds, and its recurrence rule (RRULE subset, see `recurrence.rs`).
//! Its occurrences are materialised in `occurrences` up to a rolling horizon
//! ([`HORIZON_SECS`]), so that the list, month and week pages are indexed range queries; a
//! page that looks beyond the horizon extends it first (`store::occurrences::ensure_horizon`).
//! RSVPs belong to one occurrence, and capacity is checked inside the write transaction.

pub mod api;
pub mod dates;
pub mod demo;
pub mod federation;
pub mod feeds;
pub mod form;
pub mod handlers;
pub mod ical;
pub mod image;
pub mod import;
pub mod manage;
pub mod moderation;
pub mod query;
pub mod recurrence;
pub mod save;
pub mod search;
pub mod store;
pub mod views;

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

pub use form::{EventForm, EventInput, OccurrenceForm};
use recurrence::Rule;

/// Occurrences are materialised this far ahead (18 months).
pub const HORIZON_SECS: i64 = 548 * 86_400;
/// A page that looks closer than this to the end of the materialised horizon extends it.
pub const HORIZON_MARGIN_SECS: i64 = 365 * 86_400;
/// Longest event (first start to its end): a festival fortnight fits, a season does not.
pub const MAX_DURATION_SECS: i64 = 31 * 86_400;

/// What kind of event it is (a fixed list, translated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Market,
    Concert,
    Meeting,
    Workshop,
    Sport,
    Festival,
    Show,
    Exhibition,
    Conference,
    Other,
}

impl EventType {
    /// Every type, in menu order.
    pub const ALL: [EventType; 10] = [
        EventType::Market,
        EventType::Concert,
        EventType::Meeting,
        EventType::Workshop,
        EventType::Sport,
        EventType::Festival,
        EventType::Show,
        EventType::Exhibition,
        EventType::Conference,
        EventType::Other,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Market => "market",
            EventType::Concert => "concert",
            EventType::Meeting => "meeting",
            EventType::Workshop => "workshop",
            EventType::Sport => "sport",
            EventType::Festival => "festival",
            EventType::Show => "show",
            EventType::Exhibition => "exhibition",
            EventType::Conference => "conference",
            EventType::Other => "other",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The stored values, for the map's kinds.
    pub const NAMES: [&'static str; 10] = [
        "market",
        "concert",
        "meeting",
        "workshop",
        "sport",
        "festival",
        "show",
        "exhibition",
        "conference",
        "other",
    ];
}

/// Who may see an event: everyone, or the members of its organising actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Members,
}

impl Visibility {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Visibility> {
        match s {
            "public" => Some(Visibility::Public),
            "members" => Some(Visibility::Members),
            _ => None,
        }
    }
}

/// Where an event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Scheduled,
    /// Called off: still shown (struck through), never deleted by the cancellation.
    Cancelled,
    /// Sent without an account: waits for a moderator.
    Pending,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::Cancelled => "cancelled",
            Status::Pending => "pending",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "scheduled" => Some(Status::Scheduled),
            "cancelled" => Some(Status::Cancelled),
            "pending" => Some(Status::Pending),
            _ => None,
        }
    }
}

/// An answer to an invitation: going, or interested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rsvp {
    Going,
    Interested,
}

impl Rsvp {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Rsvp::Going => "going",
            Rsvp::Interested => "interested",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Rsvp> {
        match s {
            "going" => Some(Rsvp::Going),
            "interested" => Some(Rsvp::Interested),
            _ => None,
        }
    }
}

/// A directory page an event points to (its place or its organiser).
#[derive(Clone, Debug, PartialEq)]
pub struct ActorRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Members-only pages are named but not linked for those who may not see them.
    pub public: bool,
    /// An official page (town hall, school, public service): its name carries the badge.
    pub official: bool,
}

/// An event as stored (the series, for a recurring one).
#[derive(Clone, Debug)]
pub struct Event {
    pub id: i64,
    pub slug: String,
    /// The iCalendar UID: stable across edits.
    pub uid: String,
    pub title: String,
    pub description: String,
    pub type_: EventType,
    pub tags: Vec<String>,
    pub tz: Tz,
    /// First start and end, local wall time in `tz` (the end is exclusive for all-day events).
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub start_utc: i64,
    pub end_utc: i64,
    pub all_day: bool,
    pub place: Option<ActorRef>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub organiser: Option<ActorRef>,
    /// A person organising in their own name: (user id, name).
    pub organiser_user: Option<(i64, String)>,
    /// Organised in their own name by a person who has since deleted their account: shown
    /// « ancien membre ».
    pub organiser_gone: bool,
    /// The event this one is part of: (id, slug, title).
    pub parent: Option<(i64, String, String)>,
    pub image: Option<String>,
    pub visibility: Visibility,
    pub status: Status,
    pub capacity: Option<i64>,
    /// The rule as the form's plain fields, when it is of that subset.
    pub rule: Option<Rule>,
    /// The RRULE value as written, whatever it is ('' for none).
    pub rrule: String,
    pub exdates: Vec<NaiveDate>,
    /// Single starts left out (imported EXDATE with a time).
    pub exdate_times: Vec<NaiveDateTime>,
    /// Added starts (RDATE), local.
    pub rdates: Vec<NaiveDateTime>,
    pub created_by: Option<i64>,
    /// A submission without an account: who sent it (moderators only).
    pub submitter_name: String,
    pub submitter_email: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Event {
    /// Whether it has more than one date (a rule or added dates).
    pub fn is_series(&self) -> bool {
        !self.rrule.is_empty() || !self.rdates.is_empty()
    }

    /// The organiser's name, whoever it is.
    pub fn organiser_name(&self) -> Option<&str> {
        self.organiser
            .as_ref()
            .map(|a| a.name.as_str())
            .or(self.organiser_user.as_ref().map(|(_, n)| n.as_str()))
    }

    /// The place's name or the typed address.
    pub fn location_label(&self) -> String {
        match (&self.place, self.address.is_empty()) {
            (Some(p), true) => p.name.clone(),
            (Some(p), false) => format!("{}, {}", p.name, self.address),
            (None, _) => self.address.clone(),
        }
    }

    /// The location (own coordinates, or the place's, copied at save time).
    pub fn point(&self) -> Option<(f64, f64)> {
        self.lat.zip(self.lon)
    }
}

/// One date of an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    pub id: i64,
    /// The original start (UTC) in the series: the iCalendar RECURRENCE-ID.
    pub recurrence_id: i64,
    pub start_utc: i64,
    pub end_utc: i64,
    pub cancelled: bool,
    /// Moved or retitled on its own.
    pub moved: bool,
    pub title: Option<String>,
    pub note: String,
}

/// What a viewer may do with an event.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    /// Edit, cancel, delete: its creator, its organiser's admins, the site's admins and moderators.
    pub manage: bool,
    /// Approve a submission: the site's admins and moderators.
    pub moderate: bool,
    pub see: bool,
}

/// The viewer as the store needs it, for members-only events.
#[derive(Clone, Copy, Debug, Default)]
pub struct Viewer {
    pub user_id: Option<i64>,
    /// Site admins and moderators see everything.
    pub staff: bool,
}

impl Viewer {
    /// The viewer of a request.
    pub fn of(user: Option<&crate::auth::User>) -> Viewer {
        Viewer {
            user_id: user.map(|u| u.id),
            staff: user.is_some_and(is_staff),
        }
    }
}

/// Everything the event page shows besides the event.
pub struct EventPage {
    pub occurrence: Option<Occurrence>,
    pub upcoming: Vec<Occurrence>,
    pub children: Vec<(String, String, i64, Status)>,
    pub counts: store::rsvps::Counts,
    pub mine: Option<Rsvp>,
    /// The form answer that could not be saved (event full).
    pub full: bool,
    /// The originals of its masked text, when the viewer is its author or a moderator.
    pub originals: Vec<crate::personal_data::store::Original>,
}

/// Site admins and moderators: they manage every event and approve submissions.
pub fn is_staff(u: &crate::auth::User) -> bool {
    u.is_staff()
}

/// An event slug: the title's words, then the first date: `marche-de-noel-2026-12-06`.
pub fn event_slug(title: &str, start: NaiveDate) -> String {
    let base = crate::text::slugify(title);
    let base = if base == "acteur" {
        "evenement".to_string()
    } else {
        base
    };
    format!("{base}-{}", start.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_carry_the_date_and_the_types_parse_back() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(
            event_slug("Marché de Noël !", d),
            "marche-de-noel-2026-12-06"
        );
        assert_eq!(event_slug("???", d), "evenement-2026-12-06");
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EventType::NAMES, EventType::ALL.map(EventType::as_str));
    }
}
