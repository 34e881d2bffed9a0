//! Residents' accounts: sign-up with a confirmation mail over real SMTP, login, logout,
//! password reset, rate limits, account settings.

use crate::support::*;

#[test]
fn sign_up_confirm_by_mail_log_in_and_out() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, smtp.port);

    // Sign up.
    let c = server.client();
    let page = c.get("/signup");
    assert_eq!(page.status, 200);
    let r = c.post_form(
        "/signup",
        &page,
        &[
            ("name", "Jeanne Dupont"),
            ("email", "jeanne@village.test"),
            ("password", "les tilleuls de la place"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("jeanne@village.test"));

    // Not confirmed yet: login is refused with a way to resend the link.
    let login = c.get("/login");
    let r = c.post_form(
        "/login",
        &login,
        &[
            ("email", "jeanne@village.test"),
            ("password", "les tilleuls de la place"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Confirmez d&#39;abord") || r.body.contains("Confirmez d'abord"),
        "{}",
        r.body
    );

    // The mail arrived over SMTP, from the configured sender, with a working link.
    let mail = smtp.wait_message(1);
    assert!(mail.contains("To: jeanne@village.test"), "{mail}");
    assert!(mail.contains("mairie@village.test"), "{mail}");
    let link = link_containing(&mail, "/confirm/");
    let path = &link[link.find("/confirm/").unwrap()..];
    let r = c.get(path);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");
    // A confirmation link works once.
    assert_eq!(c.get(path).status, 404);

    // Log in, see the account, log out.
    c.login("jeanne@village.test", "les tilleuls de la place");
    let account = c.get("/account");
    assert_eq!(account.status, 200);
    assert!(account.body.contains("Jeanne Dupont"));
    let r = c.post_form("/logout", &account, &[("x", "")]);
    assert_eq!(r.status, 303);
    assert_eq!(c.get("/account").location(), "/login?next=/account");

    // Signing up again with the same address creates nothing and mails the owner instead.
    let page = c.get("/signup");
    let r = c.post_form(
        "/signup",
        &page,
        &[
            ("name", "Intrus"),
            ("email", "JEANNE@village.test"),
            ("password", "un autre mot de passe"),
        ],
    );
    assert_eq!(r.status, 200);
    let mail = smtp.wait_message(2);
    assert!(mail.contains("/password/forgot"), "{mail}");
    let r = c.post_form(
        "/login",
        &c.get("/login"),
        &[
            ("email", "jeanne@village.test"),
            ("password", "un autre mot de passe"),
        ],
    );
    assert_eq!(r.status, 422);
}

#[test]
fn invalid_sign_up_keeps_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let page = c.get_with("/signup", &[("Accept-Language", "en-GB,en;q=0.9")]);
    let r = c.post_form(
        "/signup",
        &page,
        &[
            ("name", "Sam"),
            ("email", "sam-at-home"),
            ("password", "short"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Sam\""));
    assert!(r.body.contains("value=\"sam-at-home\""));
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(
        r.body.contains("10 caractères"),
        "French is the instance default"
    );
    let r = c.get_with("/signup", &[("Accept-Language", "en-GB,en;q=0.9")]);
    assert!(
        r.body.contains("lang=\"en\""),
        "English from Accept-Language"
    );
    assert!(r.body.contains("Create an account"), "{}", r.body);
}

#[test]
fn forgotten_password_is_reset_by_mail_and_old_sessions_end() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, smtp.port);

    let c = server.client();
    let page = c.get("/password/forgot");
    // An unknown address gets the same answer and no mail.
    let r = c.post_form(
        "/password/forgot",
        &page,
        &[("email", "personne@village.test")],
    );
    assert_eq!(r.status, 200);
    let r = c.post_form("/password/forgot", &page, &[("email", ADMIN_EMAIL)]);
    assert_eq!(r.status, 200);
    let mail = smtp.wait_message(1);
    assert!(mail.contains(&format!("To: {ADMIN_EMAIL}")));
    let link = link_containing(&mail, "/password/reset/");
    let path = link[link.find("/password/reset/").unwrap()..].to_string();

    let form = c.get(&path);
    assert_eq!(form.status, 200);
    let r = c.post_form(
        &path,
        &form,
        &[
            ("password", "nouveau mot de passe"),
            ("password_again", "pas le même"),
        ],
    );
    assert_eq!(r.status, 422);
    let r = c.post_form(
        &path,
        &form,
        &[
            ("password", "nouveau mot de passe"),
            ("password_again", "nouveau mot de passe"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");

    // The admin's old session is signed out; the new password works, the old one not.
    assert_eq!(admin.get("/admin").status, 303);
    c.login(ADMIN_EMAIL, "nouveau mot de passe");
    let other = server.client();
    let r = other.post_form(
        "/login",
        &other.get("/login"),
        &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
    );
    assert_eq!(r.status, 422);
    // The link is spent.
    assert_eq!(c.get(&path).status, 404);
}

#[test]
fn login_is_rate_limited_per_account() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let page = c.get("/login");
    for _ in 0..5 {
        let r = c.post_form(
            "/login",
            &page,
            &[("email", ADMIN_EMAIL), ("password", "mauvais mot de passe")],
        );
        assert_eq!(r.status, 422);
    }
    // Even the right password is refused while the account is locked.
    let r = c.post_form(
        "/login",
        &page,
        &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
    );
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Trop de tentatives"));
}

#[test]
fn account_language_and_api_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/account");
    let r = admin.post_form("/account", &page, &[("name", "Mairie"), ("lang", "de")]);
    assert_eq!(r.status, 303);
    let page = admin.get("/account");
    assert!(page.body.contains("lang=\"de\""));
    assert!(
        page.body.contains("Abmelden") || page.body.contains("abmelden"),
        "{}",
        page.body
    );

    let r = admin.post_form("/account/tokens", &page, &[("token_name", "script")]);
    assert_eq!(r.status, 200);
    let start = r.body.find("plt_").expect("token shown once");
    let token = r.body[start..start + 68].to_string();
    let me = server.client().get_with(
        "/api/v1/me",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(me.status, 200, "{}", me.body);
    let json: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(json["role"], "admin");
    assert!(
        !me.body.contains('@'),
        "the API does not echo email addresses"
    );
    assert!(
        !admin.get("/account").body.contains(&token),
        "a token is shown only once"
    );
}

#[test]
fn after_a_form_error_the_language_picker_comes_back_to_the_form_page() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    server.set_up();
    let c = server.client();
    let page = c.get("/signup");
    let token = page.csrf();
    let send = |referer: Option<&str>| {
        let mut req = c.agent.post(&format!("{}/signup", c.base));
        if let Some(r) = referer {
            req = req.set("Referer", r);
        }
        Resp::from(req.send_form(&[("_csrf", token.as_str()), ("name", "Sam"), ("email", "x")]))
    };
    let r = send(Some(&format!("{}/signup?from=home", server.url)));
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("name=\"next\" value=\"/signup?from=home\""),
        "the page the form was on, not a GET of the POST"
    );
    // Another site's page is never a destination.
    let r = send(Some("https://elsewhere.example/signup"));
    assert!(r.body.contains("name=\"next\" value=\"/\""));
}
