//! The module gate: a module's routes answer only while the module is switched on; off, they
//! are not found (404), like any unknown URL. The route table tags each route with its module
//! (`app::routes`); this file has the guard it puts on them, and the record of which module
//! each route belongs to.

use std::sync::OnceLock;

use actix_web::guard::{self, Guard};

use super::Ctx;
use crate::settings::Module;

/// The guard of a module's routes: its module is on in this request's settings.
pub fn on(m: Module) -> impl Guard {
    guard::fn_guard(move |g| {
        g.req_data()
            .get::<Ctx>()
            .is_none_or(|ctx| ctx.instance.enabled(m))
    })
}

/// Each module route's pattern (parameters' names dropped) and its module.
static ROUTES: OnceLock<Vec<(String, Module)>> = OnceLock::new();

/// Records the modules' routes from the route table (the first record stands).
pub fn record(tags: Vec<(&'static str, Module)>) {
    let _ = ROUTES.set(tags.into_iter().map(|(p, m)| (shape(p), m)).collect());
}

/// The module a route pattern belongs to (`/api/v1/events/{id}` matches the table's
/// `/api/v1/events/{slug}`), if any.
pub fn module_of(pattern: &str) -> Option<Module> {
    let shape = shape(pattern);
    ROUTES
        .get()?
        .iter()
        .find(|(p, _)| *p == shape)
        .map(|(_, m)| *m)
}

/// A pattern with every `{parameter}` written `{}`.
fn shape(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut inside = false;
    for c in pattern.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compare_without_parameter_names() {
        assert_eq!(shape("/a/{slug}/news.rss"), "/a/{}/news.rss");
        assert_eq!(shape("/assets/{file:.*}"), "/assets/{}");
    }
}
