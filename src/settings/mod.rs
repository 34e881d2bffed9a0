//! The instance's settings: first-run setup, the admin settings page, modules on and off.

pub mod form;
pub mod handlers;
pub mod store;
pub mod tiles;
pub mod views;

use chrono_tz::Tz;

use crate::i18n::Lang;

/// A part of Placette the admin can switch off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Module {
    Directory,
    Agenda,
    News,
    Aid,
    Rooms,
    Lists,
    Map,
    Votes,
    Channels,
}

impl Module {
    /// Every module, in menu order.
    pub const ALL: [Module; 9] = [
        Module::Directory,
        Module::Agenda,
        Module::News,
        Module::Aid,
        Module::Rooms,
        Module::Lists,
        Module::Map,
        Module::Votes,
        Module::Channels,
    ];

    /// The name stored in the `modules` table and used in form fields.
    pub fn as_str(self) -> &'static str {
        match self {
            Module::Directory => "directory",
            Module::Agenda => "agenda",
            Module::News => "news",
            Module::Aid => "aid",
            Module::Rooms => "rooms",
            Module::Lists => "lists",
            Module::Map => "map",
            Module::Votes => "votes",
            Module::Channels => "channels",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

pub use crate::smtp::{default_sender, mail_domain_ok, sender_problem, Smtp, SmtpSecurity};

/// Everything the admin sets, as one value cached by the server and reloaded after each change.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    /// The site's public address for links in mails (`https://placette.example.org`); empty
    /// until setup records it.
    pub public_url: String,
    pub description: String,
    pub center_lat: f64,
    pub center_lon: f64,
    pub radius_km: f64,
    pub default_lang: Lang,
    pub time_zone: Tz,
    pub secret: Vec<u8>,
    pub setup_done: bool,
    pub smtp: Smtp,
    pub modules: Vec<(Module, bool)>,
    /// The map's tile URL template (`{z}`, `{x}`, `{y}`) and the attribution its licence asks for.
    pub tile_url: String,
    pub tile_attribution: String,
    /// An MBTiles file of the region served at `/tiles/{z}/{x}/{y}`; empty for none.
    pub mbtiles_path: String,
}

impl Instance {
    /// Whether a module is switched on.
    pub fn enabled(&self, m: Module) -> bool {
        self.modules.iter().any(|(x, on)| *x == m && *on)
    }
}
