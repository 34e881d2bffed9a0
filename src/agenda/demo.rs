//! The demo village's agenda, from "now": a weekly yoga class on Tuesdays at 18:30 until June
//! (one date cancelled), the market on the first Sunday of each month, the summer festival and
//! its three concerts, a bread workshop with a few places, a cancelled tournament, some RSVPs.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rusqlite::Connection;

use super::recurrence::{End, Freq, MonthDay, Rule};
use super::store::{self, occurrences, rsvps};
use super::{save, EventInput, EventType, Rsvp, Status, Visibility};
use crate::auth::{store as users, User};
use crate::error::AppError;
use crate::time::{local_to_utc, utc_to_local};

const TZ: chrono_tz::Tz = chrono_tz::Europe::Paris;

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
}

/// The first `weekday` on or after `d`.
fn next_weekday(d: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - d.weekday().num_days_from_monday()) % 7;
    d + Days::new(u64::from(ahead))
}

fn input(title: &str, type_: EventType, start: NaiveDateTime, end: NaiveDateTime) -> EventInput {
    EventInput {
        title: title.into(),
        description: String::new(),
        type_,
        tags: Vec::new(),
        start,
        end,
        all_day: false,
        rule: None,
        custom_rule: None,
        exdate_times: Vec::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        place_slug: None,
        address: String::new(),
        lat: None,
        lon: None,
        organiser_slug: None,
        parent_slug: None,
        visibility: Visibility::Public,
        capacity: None,
        submitter_name: String::new(),
        submitter_email: String::new(),
    }
}

fn create(tx: &Connection, e: &EventInput, by: &User) -> Result<String, AppError> {
    save::create(tx, e, Some(by), TZ, crate::db::now())?
        .map_err(|refusal| AppError::msg(format!("demo event {}: {refusal:?}", e.title)))
}

/// Answers for the `nth` date to come of an event.
fn answer(tx: &Connection, slug: &str, nth: usize, who: &[i64], a: Rsvp) -> Result<(), AppError> {
    let id = store::event_id_by_slug(tx, slug)?.ok_or(AppError::NotFound)?;
    let dates = occurrences::upcoming(tx, id, crate::db::now(), nth as i64 + 1)?;
    if let Some(o) = dates.get(nth) {
        for u in who {
            rsvps::set(tx, o.id, *u, Some(a), None, crate::db::now())?;
        }
    }
    Ok(())
}

/// Fills the agenda; `people` are the demo accounts (admin, Claire, Yannick).
pub fn load_agenda(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    let [admin, claire, yannick, ..] = people else {
        return Ok(());
    };
    let (Some(admin_user), Some(claire_user)) = (
        users::user_by_id(tx, *admin)?,
        users::user_by_id(tx, *claire)?,
    ) else {
        return Ok(());
    };
    let today = utc_to_local(TZ, crate::db::now()).date();

    // Yoga: every Tuesday 18:30 since six weeks ago, until the end of June, Claire in her own name.
    let first = next_weekday(today, Weekday::Tue) - Days::new(42);
    let june = if today.month() <= 6 {
        today.year()
    } else {
        today.year() + 1
    };
    let until = NaiveDate::from_ymd_opt(june, 6, 30).unwrap_or(first);
    let mut yoga = input(
        "Yoga doux",
        EventType::Sport,
        at(first, 18, 30),
        at(first, 19, 45),
    );
    let end = local_to_utc(TZ, at(until, 23, 59) + chrono::Duration::seconds(59));
    yoga.rule = Some(Rule {
        freq: Freq::Weekly,
        interval: 1,
        by_day: vec![Weekday::Tue],
        month_day: None,
        end: End::Until(super::recurrence::Until::Utc(
            chrono::DateTime::from_timestamp(end, 0)
                .unwrap_or_default()
                .naive_utc(),
        )),
    });
    yoga.description = "Une heure de yoga doux pour tous les niveaux. Apportez votre tapis.".into();
    yoga.tags = vec!["yoga".into(), "bien-être".into()];
    yoga.place_slug = Some("petite-salle-de-la-mairie".into());
    yoga.capacity = Some(15);
    let yoga_slug = create(tx, &yoga, &claire_user)?;
    // The second class to come is called off.
    let id = store::event_id_by_slug(tx, &yoga_slug)?.ok_or(AppError::NotFound)?;
    if let Some(o) = occurrences::upcoming(tx, id, crate::db::now(), 2)?.get(1) {
        occurrences::set_cancelled(tx, o.id, true)?;
    }
    answer(tx, &yoga_slug, 0, &[*yannick], Rsvp::Going)?;

    // The market: first Sunday of every month, 8:00–13:00, for a year.
    let next_month = today
        .with_day(1)
        .unwrap_or(today)
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(today);
    let sunday = next_weekday(next_month, Weekday::Sun);
    let mut market = input(
        "Marché du dimanche",
        EventType::Market,
        at(sunday, 8, 0),
        at(sunday, 13, 0),
    );
    market.rule = Some(Rule {
        freq: Freq::Monthly,
        interval: 1,
        by_day: Vec::new(),
        month_day: Some(MonthDay::Nth(1, Weekday::Sun)),
        end: End::Count(12),
    });
    market.description =
        "Producteurs du canton, **pain** du four du Bourg, fleurs et fromages.".into();
    market.tags = vec!["marché".into(), "producteurs".into()];
    market.address = "Place de l'Église, Saint-Placide-sur-Loire".into();
    (market.lat, market.lon) = (Some(47.3514), Some(-0.8140));
    market.organiser_slug = Some("mairie-de-saint-placide".into());
    create(tx, &market, &admin_user)?;

    // The summer festival, Friday to Sunday in July, with its three concerts.
    let july = if today.month() < 7 {
        today.year()
    } else {
        today.year() + 1
    };
    let friday = next_weekday(
        NaiveDate::from_ymd_opt(july, 7, 8).unwrap_or(today),
        Weekday::Fri,
    );
    let sunday = friday + Days::new(2);
    let mut festival = input(
        "Fête de la Loire",
        EventType::Festival,
        at(friday, 0, 0),
        at(sunday + Days::new(1), 0, 0),
    );
    festival.all_day = true;
    festival.description =
        "Trois jours de fête au bord de l'eau : concerts, guinguette, feu d'artifice.".into();
    festival.tags = vec!["fête".into(), "musique".into(), "été".into()];
    festival.address = "Bords de Loire, Saint-Placide-sur-Loire".into();
    (festival.lat, festival.lon) = (Some(47.3490), Some(-0.8170));
    festival.organiser_slug = Some("comite-des-fetes".into());
    let festival_slug = create(tx, &festival, &admin_user)?;
    let concerts = [
        (
            "Concert de la chorale Les Voix de Loire",
            friday,
            (20, 30),
            (22, 0),
            "salle-des-fetes",
        ),
        (
            "Bal guinguette",
            friday + Days::new(1),
            (21, 0),
            (23, 59),
            "",
        ),
        ("Fanfare des Bords de Loire", sunday, (17, 0), (18, 30), ""),
    ];
    for (title, day, (h1, m1), (h2, m2), place) in concerts {
        let mut c = input(title, EventType::Concert, at(day, h1, m1), at(day, h2, m2));
        c.parent_slug = Some(festival_slug.clone());
        c.organiser_slug = Some("comite-des-fetes".into());
        c.tags = vec!["musique".into(), "fête".into()];
        if place.is_empty() {
            c.address = festival.address.clone();
            (c.lat, c.lon) = (festival.lat, festival.lon);
        } else {
            c.place_slug = Some(place.into());
        }
        let slug = create(tx, &c, &admin_user)?;
        answer(tx, &slug, 0, &[*claire, *yannick], Rsvp::Going)?;
    }

    // A bread workshop with eight places, two taken.
    let saturday = next_weekday(today + Days::new(10), Weekday::Sat);
    let mut bread = input(
        "Atelier pain au levain",
        EventType::Workshop,
        at(saturday, 10, 0),
        at(saturday, 12, 30),
    );
    bread.place_slug = Some("four-a-pain-du-bourg".into());
    bread.organiser_slug = Some("boulangerie-au-pain-de-loire".into());
    bread.capacity = Some(8);
    bread.tags = vec!["pain".into(), "atelier".into()];
    let bread_slug = create(tx, &bread, &admin_user)?;
    answer(tx, &bread_slug, 0, &[*claire, *yannick], Rsvp::Going)?;

    // A tournament called off.
    let day = next_weekday(today + Days::new(20), Weekday::Sat);
    let mut tournament = input(
        "Tournoi de football des jeunes",
        EventType::Sport,
        at(day, 14, 0),
        at(day, 18, 0),
    );
    tournament.organiser_slug = Some("us-saint-placide-football".into());
    tournament.address = "Stade municipal, Saint-Placide-sur-Loire".into();
    let slug = create(tx, &tournament, &admin_user)?;
    let id = store::event_id_by_slug(tx, &slug)?.ok_or(AppError::NotFound)?;
    store::set_status(tx, id, Status::Cancelled, Some(*admin), crate::db::now())?;
    Ok(())
}
