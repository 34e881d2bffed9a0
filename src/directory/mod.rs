//! The directory: who does what around here. Actors (organisations, projects, places, people
//! with a public profile), their members and roles, invitations, followers, contact through the
//! site, open data in (RNA) and out (CSV, GeoJSON, JSON).

pub mod access;
pub mod api;
pub mod export;
pub mod form;
pub mod handlers;
pub mod hours;
pub mod import_page;
pub mod members;
pub mod official;
pub mod openapi;
mod parent;
pub mod photo;
pub mod rna;
pub mod rna_text;
pub mod search;
pub mod store;
pub mod views;

use serde::Deserialize;

use crate::auth::User;
use crate::text::clip;
pub use crate::text::{parse_tags, slugify};
use crate::web::forms::FormErrors;
use hours::Hours;

/// What an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Project,
    Place,
    Person,
}

impl Kind {
    /// Every kind, in menu order.
    pub const ALL: [Kind; 4] = [Kind::Organisation, Kind::Project, Kind::Place, Kind::Person];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Project => "project",
            Kind::Place => "place",
            Kind::Person => "person",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The types an actor of this kind may have.
    pub fn types(self) -> &'static [&'static str] {
        match self {
            Kind::Organisation => &["association", "business", "public_service", "group"],
            Kind::Project => &["project"],
            Kind::Place => &[
                "compost",
                "oven",
                "book_box",
                "artwork",
                "garden",
                "playground",
                "room",
                "other",
            ],
            Kind::Person => &["person"],
        }
    }

    /// The schema.org type of its JSON-LD.
    pub fn schema_org(self) -> &'static str {
        match self {
            Kind::Organisation => "Organization",
            Kind::Project => "Project",
            Kind::Place => "Place",
            Kind::Person => "Person",
        }
    }
}

/// Who may see an actor's page.
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

/// A member's role within an actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRole {
    Admin,
    Member,
}

impl MemberRole {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Admin => "admin",
            MemberRole::Member => "member",
        }
    }

    /// Parses the stored value.
    pub fn parse(s: &str) -> Option<MemberRole> {
        match s {
            "admin" => Some(MemberRole::Admin),
            "member" => Some(MemberRole::Member),
            _ => None,
        }
    }
}

/// An actor as stored.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: i64,
    pub slug: String,
    pub kind: Kind,
    pub type_: String,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: String,
    pub website: String,
    pub social: Vec<String>,
    pub hours: Hours,
    pub capacity: Option<i64>,
    pub equipment: String,
    pub accessibility: String,
    pub photo: Option<String>,
    pub parent: Option<(String, String)>,
    pub visibility: Visibility,
    pub rna_id: Option<String>,
    /// Marked official by a site admin (town hall, school, public service): a badge shows it.
    pub official: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a viewer may do with an actor: derived from their account and membership.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    pub site_admin: bool,
    pub member: bool,
    pub requested: bool,
    pub admin: bool,
}

impl Access {
    /// Computes access from the user and their membership `(role, status)`.
    pub fn of(user: Option<&User>, membership: Option<(MemberRole, bool)>) -> Access {
        let active = membership.filter(|(_, active)| *active).map(|(r, _)| r);
        Access {
            site_admin: user.is_some_and(User::is_admin),
            member: active.is_some(),
            requested: membership.is_some_and(|(_, active)| !active),
            admin: active == Some(MemberRole::Admin),
        }
    }

    /// Edit the page, manage members, invite: the actor's admins and the site's admins.
    pub fn can_manage(&self) -> bool {
        self.admin || self.site_admin
    }

    /// See the page.
    pub fn can_see(&self, v: Visibility) -> bool {
        v == Visibility::Public || self.member || self.site_admin
    }
}

/// The actor form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ActorForm {
    pub kind: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub tags: String,
    pub address: String,
    pub lat: String,
    pub lon: String,
    pub phone: String,
    pub website: String,
    pub social: String,
    pub hours_0: String,
    pub hours_1: String,
    pub hours_2: String,
    pub hours_3: String,
    pub hours_4: String,
    pub hours_5: String,
    pub hours_6: String,
    pub capacity: String,
    pub equipment: String,
    pub accessibility: String,
    pub parent: String,
    pub visibility: String,
}

/// A valid actor, ready to store.
#[derive(Clone, Debug)]
pub struct ActorInput {
    pub kind: Kind,
    pub type_: String,
    pub name: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub phone: String,
    pub website: String,
    pub social: Vec<String>,
    pub hours: Hours,
    pub capacity: Option<i64>,
    pub equipment: String,
    pub accessibility: String,
    pub parent_slug: Option<String>,
    pub visibility: Visibility,
}

/// Field names of the seven weekday inputs.
pub const HOUR_FIELDS: [&str; 7] = [
    "hours_0", "hours_1", "hours_2", "hours_3", "hours_4", "hours_5", "hours_6",
];

impl ActorForm {
    /// The seven weekday texts.
    pub fn hour_texts(&self) -> [&str; 7] {
        [
            &self.hours_0,
            &self.hours_1,
            &self.hours_2,
            &self.hours_3,
            &self.hours_4,
            &self.hours_5,
            &self.hours_6,
        ]
    }

    /// Checks every field; records problems by field in `e`.
    pub fn parse(&self, e: &mut FormErrors) -> Option<ActorInput> {
        let kind = Kind::parse(&self.kind);
        e.check(kind.is_none(), "kind", "dir.kind_invalid");
        let type_ok = kind.is_some_and(|k| k.types().contains(&self.type_.as_str()));
        e.check(kind.is_some() && !type_ok, "type", "dir.type_invalid");
        let name = self.name.trim().to_string();
        e.check(
            name.is_empty() || name.chars().count() > 120,
            "name",
            "dir.name_required",
        );
        e.check(
            self.summary.chars().count() > 300,
            "summary",
            "dir.summary_too_long",
        );
        e.check(
            self.description.chars().count() > 20_000,
            "description",
            "dir.description_too_long",
        );
        let (lat, lon) = crate::web::forms::optional_point(e, &self.lat, &self.lon);
        e.check(
            lat.is_some() != lon.is_some()
                && self.lat.trim().is_empty() != self.lon.trim().is_empty(),
            "lon",
            "dir.lat_lon_both",
        );
        let phone = self.phone.trim().to_string();
        let phone_ok = phone.is_empty()
            || (phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-()".contains(c))
                && phone.chars().filter(char::is_ascii_digit).count() >= 6);
        e.check(!phone_ok, "phone", "dir.phone_invalid");
        let website = crate::text::web_address(&self.website);
        e.check(
            !self.website.trim().is_empty() && website.is_none(),
            "website",
            "dir.url_invalid",
        );
        let website = website.unwrap_or_default();
        let social: Vec<Option<String>> = self
            .social
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(crate::text::web_address)
            .collect();
        e.check(
            social.iter().any(Option::is_none) || social.len() > 10,
            "social",
            "dir.social_invalid",
        );
        let mut hours = Vec::new();
        for (day, text) in self.hour_texts().iter().enumerate() {
            match Hours::parse_day(day as u8, text) {
                Ok(mut ivs) => hours.append(&mut ivs),
                Err(()) => e.add(HOUR_FIELDS[day], "dir.hours_invalid"),
            }
        }
        let cap_t = self.capacity.trim();
        let capacity = cap_t
            .parse::<i64>()
            .ok()
            .filter(|c| (0..=100_000).contains(c));
        e.check(
            !cap_t.is_empty() && capacity.is_none(),
            "capacity",
            "dir.capacity_invalid",
        );
        let visibility = Visibility::parse(&self.visibility);
        e.check(visibility.is_none(), "visibility", "dir.visibility_invalid");
        let parent = self.parent.trim().trim_start_matches("/a/").to_string();
        let input = ActorInput {
            kind: kind?,
            type_: self.type_.clone(),
            name,
            summary: self.summary.trim().to_string(),
            description: self.description.trim().to_string(),
            tags: parse_tags(&self.tags),
            address: clip(&self.address, 300),
            lat: lat.filter(|_| lon.is_some()),
            lon: lon.filter(|_| lat.is_some()),
            phone,
            website,
            social: social.into_iter().flatten().collect(),
            hours: Hours(hours),
            capacity,
            equipment: clip(&self.equipment, 2000),
            accessibility: clip(&self.accessibility, 2000),
            parent_slug: (!parent.is_empty()).then_some(parent),
            visibility: visibility?,
        };
        e.is_empty().then_some(input)
    }

    /// The form filled with a stored actor.
    pub fn from_actor(a: &Actor) -> ActorForm {
        let mut f = ActorForm {
            kind: a.kind.as_str().into(),
            type_: a.type_.clone(),
            name: a.name.clone(),
            summary: a.summary.clone(),
            description: a.description.clone(),
            tags: a.tags.join(", "),
            address: a.address.clone(),
            lat: a.lat.map(|v| v.to_string()).unwrap_or_default(),
            lon: a.lon.map(|v| v.to_string()).unwrap_or_default(),
            phone: a.phone.clone(),
            website: a.website.clone(),
            social: a.social.join("\n"),
            capacity: a.capacity.map(|c| c.to_string()).unwrap_or_default(),
            equipment: a.equipment.clone(),
            accessibility: a.accessibility.clone(),
            parent: a
                .parent
                .as_ref()
                .map(|(s, _)| s.clone())
                .unwrap_or_default(),
            visibility: a.visibility.as_str().into(),
            ..Default::default()
        };
        let days: Vec<String> = (0..7).map(|d| a.hours.day_text(d)).collect();
        [
            f.hours_0, f.hours_1, f.hours_2, f.hours_3, f.hours_4, f.hours_5, f.hours_6,
        ] = [0, 1, 2, 3, 4, 5, 6].map(|d| days[d].clone());
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_form_reports_each_bad_field() {
        let form = ActorForm {
            kind: "organisation".into(),
            type_: "compost".into(),
            name: "".into(),
            website: "pas un site".into(),
            hours_2: "toute la journée".into(),
            visibility: "public".into(),
            lat: "91".into(),
            lon: "2".into(),
            ..Default::default()
        };
        let mut e = FormErrors::new();
        assert!(form.parse(&mut e).is_none());
        for f in ["type", "name", "website", "hours_2", "lat"] {
            assert!(e.get(f).is_some(), "{f} should be reported");
        }
    }
}
