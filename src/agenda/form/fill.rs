//! The event form filled with a stored event (to edit it).

use chrono::Weekday;

use super::EventForm;
use crate::agenda::recurrence::{End, Freq, MonthDay, Rule, Until};
use crate::agenda::Event;

impl EventForm {
    /// The form filled with a stored event (slugs of its place, organiser and parent).
    pub fn from_event(ev: &Event) -> EventForm {
        let mut f = EventForm {
            title: ev.title.clone(),
            description: ev.description.clone(),
            type_: ev.type_.as_str().into(),
            tags: ev.tags.join(", "),
            start_date: ev.start.format("%Y-%m-%d").to_string(),
            all_day: if ev.all_day {
                "on".into()
            } else {
                String::new()
            },
            exdates: ev
                .exdates
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .chain(
                    ev.exdate_times
                        .iter()
                        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string()),
                )
                .collect::<Vec<_>>()
                .join(", "),
            rdates: ev
                .rdates
                .iter()
                .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                .collect::<Vec<_>>()
                .join(", "),
            place: ev
                .place
                .as_ref()
                .map(|p| p.slug.clone())
                .unwrap_or_default(),
            address: ev.address.clone(),
            lat: ev.lat.map(|v| v.to_string()).unwrap_or_default(),
            lon: ev.lon.map(|v| v.to_string()).unwrap_or_default(),
            organiser: ev
                .organiser
                .as_ref()
                .map(|a| a.slug.clone())
                .unwrap_or_default(),
            parent: ev.parent.as_ref().map(|p| p.1.clone()).unwrap_or_default(),
            visibility: ev.visibility.as_str().into(),
            capacity: ev.capacity.map(|c| c.to_string()).unwrap_or_default(),
            ends: "never".into(),
            ..Default::default()
        };
        if ev.place.is_some() {
            // The place's address and position are copied at save time: not typed.
            (f.address, f.lat, f.lon) = Default::default();
        }
        if ev.all_day {
            let last = ev.end.date().pred_opt().unwrap_or(ev.end.date());
            f.end_date = last.format("%Y-%m-%d").to_string();
        } else {
            f.start_time = ev.start.format("%H:%M").to_string();
            f.end_date = ev.end.format("%Y-%m-%d").to_string();
            f.end_time = ev.end.format("%H:%M").to_string();
        }
        if let Some(r) = &ev.rule {
            f.fill_rule(r, ev);
        } else if !ev.rrule.is_empty() {
            // A rule the plain fields cannot show (an imported YEARLY, BYSETPOS...): as text.
            f.repeat = "custom".into();
            f.rrule = ev.rrule.clone();
        }
        f
    }

    fn fill_rule(&mut self, r: &Rule, ev: &Event) {
        self.repeat = match (r.freq, r.month_day) {
            (Freq::Daily, _) => "daily",
            (Freq::Weekly, _) => "weekly",
            (Freq::Monthly, Some(MonthDay::Nth(n, _))) if n < 0 => "monthly_last",
            (Freq::Monthly, Some(MonthDay::Nth(..))) => "monthly_nth",
            (Freq::Monthly, _) => "monthly_day",
        }
        .into();
        self.interval = r.interval.to_string();
        for d in &r.by_day {
            let field = match d {
                Weekday::Mon => &mut self.day_mo,
                Weekday::Tue => &mut self.day_tu,
                Weekday::Wed => &mut self.day_we,
                Weekday::Thu => &mut self.day_th,
                Weekday::Fri => &mut self.day_fr,
                Weekday::Sat => &mut self.day_sa,
                Weekday::Sun => &mut self.day_su,
            };
            *field = "on".into();
        }
        match r.end {
            End::Never => self.ends = "never".into(),
            End::Count(n) => {
                self.ends = "count".into();
                self.count = n.to_string();
            }
            End::Until(u) => {
                self.ends = "until".into();
                let date = match u {
                    Until::Date(d) => d,
                    Until::Local(t) => t.date(),
                    Until::Utc(t) => {
                        crate::time::utc_to_local(ev.tz, t.and_utc().timestamp()).date()
                    }
                };
                self.until = date.format("%Y-%m-%d").to_string();
            }
        }
    }
}
