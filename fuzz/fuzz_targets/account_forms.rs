//! The account forms and what comes with them: sign-up (`SignupForm::validate`), login's and
//! the language picker's `next` (`safe_next`, then the redirect), the new-password form's rule
//! (`password_problem`), the profile's language (`Lang::from_code`) and the `Accept-Language`
//! header (`Lang::negotiate`). The urlencoded bytes are decoded as actix's `web::Form` does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use placette::auth::form::{LoginForm, SignupForm};
use placette::auth::{password_problem, plausible_email, MIN_PASSWORD_CHARS};
use placette::i18n::Lang;
use placette::web::{redirect, safe_next};

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let _ = Lang::negotiate(&header);
    if let Ok(form) = serde_urlencoded::from_bytes::<SignupForm>(data) {
        let errors = form.validate();
        if errors.is_empty() {
            let name = form.name.trim();
            assert!(!name.is_empty() && name.chars().count() <= 100);
            assert!(plausible_email(form.email.trim()));
            let n = form.password.chars().count();
            assert!((MIN_PASSWORD_CHARS..=256).contains(&n));
        }
        assert_eq!(
            password_problem(&form.password).is_none(),
            errors.get("password").is_none()
        );
        let email = form.email.trim();
        if plausible_email(email) {
            assert!(email.contains('@') && email.len() <= 254);
            assert!(!email.chars().any(|c| c.is_whitespace() || c.is_control()));
        }
        let _ = Lang::from_code(&form.name);
    }
    if let Ok(form) = serde_urlencoded::from_bytes::<LoginForm>(data) {
        let next = safe_next(Some(&form.next));
        assert!(next.starts_with('/') && !next.starts_with("//") && !next.contains('\\'));
        assert!(
            !next.chars().any(|c| c.is_control() || c.is_whitespace()),
            "{next:?}"
        );
        let res = redirect(&next);
        assert_eq!(res.status().as_u16(), 303);
        let location = res.headers().get("location").expect("a Location header");
        assert_eq!(location.as_bytes(), next.as_bytes());
    }
});
