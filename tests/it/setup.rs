//! First run: the setup page, protected by the one-time code printed on stdout.

use crate::support::*;

#[test]
fn first_run_asks_for_the_code_then_opens_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let c = server.client();

    // Before setup, every page leads to the setup form.
    let home = c.get("/");
    assert_eq!(home.status, 303);
    assert_eq!(home.location(), "/setup");
    assert_eq!(c.get("/healthz").status, 200);

    // A wrong code is refused, in French, and what was typed is kept.
    let page = c.get("/setup");
    // Without an address base, the page says so and opens the coordinates (issue 18).
    assert!(
        page.body
            .contains("Aucune base d&#39;adresses n&#39;est importée")
            || page.body.contains("Aucune base d'adresses n'est importée")
    );
    assert!(
        page.body.contains("<details id=\"centre-advanced\" open"),
        "{}",
        page.body
    );
    let mut fields = setup_fields("WRONG-CODE");
    fields[1].1 = "Saint-Essai".into();
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Ce code n&#39;est pas le bon")
            || r.body.contains("Ce code n'est pas le bon"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Saint-Essai\""));
    assert!(
        !r.body.contains(ADMIN_PASSWORD),
        "a password must never be sent back"
    );

    // Bad coordinates are reported on their field.
    let mut fields = setup_fields(&server.setup_code());
    fields[3].1 = "quatre-vingt".into();
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("La latitude est un nombre"));

    // The right code opens the site and signs the admin in.
    let admin = server.set_up();
    let settings = admin.get("/admin");
    assert_eq!(settings.status, 200);
    assert!(settings.body.contains("Saint-Test-sur-Loire"));
    assert!(
        settings.body.contains("Placette est prête"),
        "the flash message shows once"
    );
    assert!(!admin.get("/admin").body.contains("Placette est prête"));

    // The setup page is gone; the home page shows the village to anyone.
    assert_eq!(c.get("/setup").location(), "/");
    let home = c.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("<h1>Saint-Test-sur-Loire</h1>"));
}

#[test]
fn admin_changes_settings_and_switches_modules() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let page = admin.get("/admin");
    let mut fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .collect();
    fields[0].1 = "Saint-Renommé".into();
    fields.push(("public_url", server.url.clone()));
    fields.push(("modules", "agenda".into()));
    fields.push(("modules", "directory".into()));
    let r = admin.post_form("/admin", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);

    let api = server.client().get("/api/v1/instance");
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["name"], "Saint-Renommé");
    assert_eq!(json["modules"], serde_json::json!(["directory", "agenda"]));
    let home = server.client().get("/");
    assert!(home.body.contains("Annuaire") && !home.body.contains("Réservation de salles"));

    // An invalid time zone re-renders with the message and the typed values.
    let page = admin.get("/admin");
    let mut bad = fields.clone();
    bad[6].1 = "Europe/Atlantis".into();
    let r = admin.post_form("/admin", &page, &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Fuseau horaire inconnu"));
    assert!(r.body.contains("value=\"Europe/Atlantis\""));

    // A member cannot reach the admin pages.
    let member = server.client();
    assert_eq!(member.get("/admin").location(), "/login?next=/admin");
}

#[test]
fn test_mail_goes_to_the_outbox_then_to_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, &[]);
    let admin = server.set_up();

    // No relay: the admin page says where mail goes, and the test mail lands there.
    let page = admin.get("/admin");
    assert!(
        page.body.contains("mail-outbox"),
        "the page says mail is not sent"
    );
    let r = admin.post_form("/admin/test-mail", &page, &[("x", "")]);
    assert_eq!(r.status, 200);
    let outbox: Vec<_> = std::fs::read_dir(data.join("mail-outbox"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(outbox.len(), 1);
    let eml = std::fs::read_to_string(outbox[0].path()).unwrap();
    assert!(eml.contains(&format!("To: {ADMIN_EMAIL}")));

    // With a relay: the mail goes over SMTP.
    let smtp = SmtpSink::start(&dir.path().join("smtp"));
    server.use_smtp(&admin, smtp.port);
    let page = admin.get("/admin");
    assert!(!page.body.contains("mail-outbox"));
    let r = admin.post_form("/admin/test-mail", &page, &[("x", "")]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains(ADMIN_EMAIL));
    let mail = smtp.wait_message(1);
    assert!(mail.contains("Subject:"), "{mail}");

    // A relay that does not answer: the page says so, in French, without a 500.
    let page = admin.get("/admin");
    let r = admin.post_form(
        "/admin/smtp",
        &page,
        &[
            ("smtp_host", "127.0.0.1"),
            ("smtp_port", "1"),
            ("smtp_security", "none"),
            ("smtp_user", ""),
            ("smtp_password", ""),
            ("smtp_from", "Mairie <mairie@village.test>"),
        ],
    );
    assert_eq!(r.status, 303);
    let r = admin.post_form("/admin/test-mail", &admin.get("/admin"), &[("x", "")]);
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("n&#39;a pas pu") || r.body.contains("n'a pas pu"),
        "{}",
        r.body
    );

    // An invalid port is a 422 that keeps the input.
    let r = admin.post_form(
        "/admin/smtp",
        &admin.get("/admin"),
        &[
            ("smtp_host", "smtp.example.org"),
            ("smtp_port", "soixante"),
            ("smtp_security", "starttls"),
            ("smtp_user", ""),
            ("smtp_password", ""),
            ("smtp_from", ""),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"smtp.example.org\""));
}

/// The SMTP form's fields with a relay on the sink's port and the given sender.
fn relay_fields(port: u16, from: &str) -> Vec<(&'static str, String)> {
    vec![
        ("smtp_host", "127.0.0.1".into()),
        ("smtp_port", port.to_string()),
        ("smtp_security", "none".into()),
        ("smtp_user", "".into()),
        ("smtp_password", "".into()),
        ("smtp_from", from.into()),
    ]
}

/// The `From:` header of a raw mail.
fn from_header(raw: &str) -> String {
    raw.lines()
        .find(|l| l.starts_with("From: "))
        .unwrap_or_else(|| panic!("no From in {raw}"))
        .to_string()
}

#[test]
fn a_relay_sends_from_a_real_domain_never_from_localhost() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let smtp = SmtpSink::start(&dir.path().join("smtp"));

    // The public address recorded at setup is 127.0.0.1: no domain to derive a sender from,
    // and the form says a sender is needed.
    let page = admin.get("/admin");
    assert!(
        page.body.contains("Obligatoire avec un serveur SMTP"),
        "{}",
        page.body
    );
    let r = admin.post_form("/admin/smtp", &page, &relay_fields(smtp.port, ""));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Indiquez l&#39;expéditeur") || r.body.contains("Indiquez l'expéditeur")
    );
    assert!(
        r.body.contains("value=\"127.0.0.1\""),
        "the host typed is kept"
    );
    assert!(r.body.contains(&format!("value=\"{}\"", smtp.port)));

    // A sender at localhost, on a bare host name, on the local network or at an IP address
    // is refused the same way, keeping what was typed; never a 500.
    for bad in [
        "placette@localhost",
        "Mairie <placette@localhost>",
        "placette@mairie",
        "placette@raspberrypi.local",
        "placette@127.0.0.1",
    ] {
        let r = admin.post_form(
            "/admin/smtp",
            &admin.get("/admin"),
            &relay_fields(smtp.port, bad),
        );
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(
            r.body.contains("nom de domaine d&#39;Internet")
                || r.body.contains("nom de domaine d'Internet"),
            "{bad}: {}",
            r.body
        );
        let kept = bad.replace('<', "&lt;").replace('>', "&gt;");
        assert!(
            r.body.contains(&format!("value=\"{kept}\"")),
            "{bad} not kept"
        );
    }
    assert!(
        server
            .lines
            .lock()
            .unwrap()
            .iter()
            .all(|l| !l.contains("panicked")),
        "no panic"
    );

    // In the admin's language: English once they switch.
    let page = admin.get("/admin");
    let r = admin.post_form("/lang", &page, &[("lang", "en"), ("next", "/admin")]);
    assert_eq!(r.status, 303);
    let r = admin.post_form(
        "/admin/smtp",
        &admin.get("/admin"),
        &relay_fields(smtp.port, "placette@localhost"),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("The sender needs an internet domain name"),
        "{}",
        r.body
    );
    let page = admin.get("/admin");
    let r = admin.post_form("/lang", &page, &[("lang", "fr"), ("next", "/admin")]);
    assert_eq!(r.status, 303);

    // Nothing was saved: mail still goes to the outbox folder.
    assert!(admin.get("/admin").body.contains("mail-outbox"));

    // With a public address on a domain, an empty sender is derived from it, and the form
    // says so before and after saving.
    let mut general: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .collect();
    general.push(("public_url", "https://www.saint-test.example".into()));
    for m in [
        "directory",
        "agenda",
        "news",
        "aid",
        "rooms",
        "lists",
        "map",
    ] {
        general.push(("modules", m.into()));
    }
    let r = admin.post_form("/admin", &admin.get("/admin"), &general);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/admin");
    assert!(
        page.body
            .contains("Laissé vide, l&#39;expéditeur sera placette@saint-test.example")
            || page
                .body
                .contains("Laissé vide, l'expéditeur sera placette@saint-test.example"),
        "{}",
        page.body
    );
    let r = admin.post_form("/admin/smtp", &page, &relay_fields(smtp.port, ""));
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.get("/admin");
    assert!(
        page.body.contains("L&#39;expéditeur a été déduit")
            || page.body.contains("L'expéditeur a été déduit")
    );
    assert!(page.body.contains("value=\"placette@saint-test.example\""));

    // A mail actually sent through the relay carries it, with the village's name.
    let r = admin.post_form("/admin/test-mail", &page, &[("x", "")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = smtp.wait_message(1);
    assert_eq!(
        from_header(&mail),
        "From: Saint-Test-sur-Loire <placette@saint-test.example>"
    );
    assert!(!mail.contains("@localhost"), "{mail}");

    // A sender typed by the admin is the one mails carry.
    let r = admin.post_form(
        "/admin/smtp",
        &admin.get("/admin"),
        &relay_fields(
            smtp.port,
            "Mairie de Saint-Test <mairie@saint-test.example>",
        ),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin.post_form("/admin/test-mail", &admin.get("/admin"), &[("x", "")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = smtp.wait_message(2);
    assert_eq!(
        from_header(&mail),
        "From: \"Mairie de Saint-Test\" <mairie@saint-test.example>"
    );

    // Mail of the modules goes the same way: a sign-up's confirmation.
    let visitor = server.client();
    let page = visitor.get("/signup");
    let r = visitor.post_form(
        "/signup",
        &page,
        &[
            ("name", "Léa"),
            ("email", "lea@village.test"),
            ("password", "mot de passe du village"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mail = smtp.wait_message(3);
    assert!(mail.contains("To: lea@village.test"), "{mail}");
    assert_eq!(
        from_header(&mail),
        "From: \"Mairie de Saint-Test\" <mairie@saint-test.example>"
    );
}

fn field(fields: &mut [(&str, String)], name: &str, value: &str) {
    fields.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value.into();
}

/// The mean of the sample's latitudes and longitudes (the centre of its one commune).
fn sample_centre() -> (f64, f64) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/adresses-49-sample.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    let mean = |i: usize| {
        rows.iter()
            .map(|r| r[i].parse::<f64>().unwrap())
            .sum::<f64>()
            / rows.len() as f64
    };
    (mean(13), mean(12))
}

/// Issue 18: the volunteer types the village's name, the centre comes from the address base;
/// a name the base does not know is refused in French, keeping what was typed; residents then
/// read the village's name, never raw coordinates.
#[test]
fn the_village_centre_is_found_by_its_name_in_the_address_base() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sample = import_sample_addresses(&data);
    // A second commune whose name also starts with « Saint-Placide ».
    let header = std::fs::read_to_string(&sample).unwrap();
    let header = header.lines().next().unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        format!("{header}\n49998_0010_00001;49998_0010;1;;Rue Haute;49998;49998;Saint-Placide-le-Haut;;;0;0;-0.500000;47.500000;entrée;;;;;commune;commune;1;\n"),
    )
    .unwrap();
    let (ok, out, err) = run(
        &[
            "import",
            "ban",
            other.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    let server = Server::start(&data, &[]);
    let c = server.client();
    let page = c.get("/setup");
    assert!(page.body.contains("name=\"place\""), "{}", page.body);
    assert!(page.body.contains("inputmode=\"decimal\""));
    assert!(
        !page.body.contains("type=\"number\""),
        "« 47,35 » must not be mangled"
    );

    let mut fields = setup_fields(&server.setup_code());
    field(&mut fields, "center_lat", "");
    field(&mut fields, "center_lon", "");
    fields.push(("place", "Saint-Nulle-Part".into()));
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Saint-Nulle-Part » n"), "{}", r.body);
    assert!(r.body.contains("pas dans la base d"), "{}", r.body);
    assert!(r.body.contains("value=\"Saint-Nulle-Part\""));
    assert!(
        !r.body.contains("La latitude est un nombre"),
        "one message, on the name"
    );

    // Neither a name nor coordinates: the name is asked for.
    field(&mut fields, "place", "");
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("Indiquez le nom ou le code postal de la commune"));

    // Two communes match: both are offered, nothing is saved until one is picked.
    field(&mut fields, "place", "saint placide");
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Choisissez votre commune"), "{}", r.body);
    assert!(r.body.contains("value=\"49999-49999\""), "{}", r.body);
    assert!(
        r.body.contains("Saint-Placide-le-Haut (49998)"),
        "{}",
        r.body
    );
    fields.push(("place_pick", "49999-49999".into()));
    let r = c.post_form("/setup", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let api = server.client().get("/api/v1/instance");
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let (lat, lon) = sample_centre();
    assert!(
        (json["center"]["lat"].as_f64().unwrap() - lat).abs() < 1e-5,
        "{json}"
    );
    assert!(
        (json["center"]["lon"].as_f64().unwrap() - lon).abs() < 1e-5,
        "{json}"
    );

    // The admin page's fallback takes a French comma.
    let page = c.get("/admin");
    assert_eq!(page.status, 200);
    let mut fields: Vec<(&str, String)> = setup_fields("")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("admin_") && *k != "code")
        .collect();
    field(&mut fields, "center_lat", "47,3512");
    field(&mut fields, "center_lon", "-0,8143");
    fields.push(("public_url", server.url.clone()));
    fields.push(("modules", "directory".into()));
    fields.push(("modules", "agenda".into()));
    fields.push(("modules", "map".into()));
    let r = c.post_form("/admin", &page, &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let api = server.client().get("/api/v1/instance");
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["center"]["lat"].as_f64(), Some(47.3512), "{json}");
    assert_eq!(json["center"]["lon"].as_f64(), Some(-0.8143), "{json}");

    // No public page prints the centre's coordinates; the home page names the village.
    let visitor = server.client();
    let home = visitor.get("/");
    assert!(
        home.body.contains("15 km autour de Saint-Test-sur-Loire"),
        "{}",
        home.body
    );
    for path in ["/", "/map", "/directory"] {
        let r = visitor.get(path);
        assert_eq!(r.status, 200, "{path}");
        for raw in [
            "47.3512, -0.8143",
            "47.3512,-0.8143",
            "47,3512",
            "autour de 47",
        ] {
            assert!(!r.body.contains(raw), "{path} prints {raw}");
        }
    }
}
