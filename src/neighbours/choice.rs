//! The visitor's choice of seeing the neighbours' items on a page (the search, the map, the
//! agenda's list): offered only when a neighbour is linked; given in the URL (`neighbours=1`
//! or `0`) and then remembered in one cookie for every page; otherwise each page's default
//! (on for the search, off for the map and the agenda).

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::state::AppState;

/// The cookie that remembers the choice.
pub const COOKIE: &str = "placette_neighbours";

/// What a page does with the neighbours' items.
pub struct Choice {
    /// A neighbour is linked: the page offers the choice.
    pub offered: bool,
    /// Their items are shown.
    pub shown: bool,
    /// The URL's choice, to remember (`Some` when it made one).
    given: Option<bool>,
}

fn parse(given: &str) -> Option<bool> {
    match given.trim() {
        "1" | "on" | "true" => Some(true),
        "0" | "off" | "false" => Some(false),
        _ => None,
    }
}

impl Choice {
    /// Reads the choice for a page whose URL gave `given`, with the page's `default`.
    pub async fn read(
        state: &AppState,
        req: &HttpRequest,
        given: &str,
        default: bool,
    ) -> Result<Choice, AppError> {
        let offered = state.db.read(|c| Ok(super::store::any_linked(c)?)).await?;
        let given = parse(given);
        let remembered = req.cookie(COOKIE).map(|c| c.value() == "1");
        Ok(Choice {
            offered,
            shown: offered && given.or(remembered).unwrap_or(default),
            given,
        })
    }

    /// For the page's view: `None` when there is nothing to choose, else whether they are shown.
    pub fn toggle(&self) -> Option<bool> {
        self.offered.then_some(self.shown)
    }

    /// The page's response, with the URL's choice remembered for the next pages.
    pub fn remember(&self, req: &HttpRequest, mut resp: HttpResponse) -> HttpResponse {
        let Some(given) = self.given else {
            return resp;
        };
        let secure = req.connection_info().scheme() == "https";
        let cookie = Cookie::build(COOKIE, if given { "1" } else { "0" })
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(Duration::days(365))
            .finish();
        let _ = resp.add_cookie(&cookie);
        resp
    }
}
