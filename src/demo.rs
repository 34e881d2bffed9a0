//! `serve --demo`: a small fictional village so that a newcomer sees a living site.
//! Only a new instance (not yet set up) is filled; an existing one is never touched.

use rusqlite::Connection;

use crate::auth::{self, store as users, Role};
use crate::db::{self, write_now, Db};
use crate::directory::hours::Hours;
use crate::directory::store::{self as directory, members, Origin};
use crate::directory::{ActorInput, Kind, MemberRole, Visibility};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::settings::store as settings;

/// The demo admin's login.
pub const ADMIN_EMAIL: &str = "admin@demo.placette.invalid";
/// The demo accounts' password (a demo only: never use `--demo` for a real village).
pub const PASSWORD: &str = "placette-demo";

/// Fills a new instance with the sample village; does nothing if setup was already done.
pub fn load_if_new(db: &Db) -> Result<bool, AppError> {
    let mut conn = db.conn()?;
    if settings::load_instance(&conn)?.setup_done {
        return Ok(false);
    }
    let hash = auth::hash_password(PASSWORD)?;
    write_now(&mut conn, |tx| {
        settings::save_general(
            tx,
            &settings::General {
                name: "Saint-Placide-sur-Loire",
                description: "Village fictif de démonstration : 1 200 habitants, une halle, \
                              une salle des fêtes, une école et douze associations.",
                center_lat: 47.3512,
                center_lon: -0.8143,
                radius_km: 15.0,
                default_lang: Lang::Fr,
                time_zone: "Europe/Paris",
            },
        )?;
        let people = [
            (ADMIN_EMAIL, "Mairie de Saint-Placide", Role::Admin),
            (
                "claire@demo.placette.invalid",
                "Claire Morin",
                Role::Moderator,
            ),
            (
                "yannick@demo.placette.invalid",
                "Yannick Le Goff",
                Role::Member,
            ),
        ];
        let mut ids = Vec::new();
        for (email, name, role) in people {
            let new = users::NewUser {
                email,
                name,
                password_hash: &hash,
                role,
                lang: None,
                confirmed: true,
            };
            ids.extend(users::create_user(tx, &new, db::now())?);
        }
        load_directory(tx, &ids)?;
        crate::agenda::demo::load_agenda(tx, &ids)?;
        crate::news::demo::load(tx, &ids)?;
        crate::rooms::demo::load(tx, &ids)?;
        crate::aid::demo::load(tx, &ids)?;
        crate::lists::demo::load(tx, &ids)?;
        crate::votes::demo::load(tx, &ids)?;
        crate::channels::demo::load(tx, &ids)?;
        settings::mark_setup_done(tx, db::now())?;
        Ok(true)
    })
}

/// One demo actor: kind, type, name, summary, tags, offset from the centre in metres
/// (north, east), opening hours (weekday texts from Monday), parent slug.
struct Sample {
    kind: Kind,
    type_: &'static str,
    name: &'static str,
    summary: &'static str,
    tags: &'static str,
    offset: (f64, f64),
    hours: [&'static str; 7],
    parent: Option<&'static str>,
    capacity: Option<i64>,
}

const NO_HOURS: [&str; 7] = ["", "", "", "", "", "", ""];

const SAMPLES: &[Sample] = &[
    Sample {
        kind: Kind::Organisation,
        type_: "public_service",
        name: "Mairie de Saint-Placide",
        summary: "Accueil, état civil, urbanisme, location des salles communales.",
        tags: "mairie, services",
        offset: (0.0, 0.0),
        hours: [
            "9h-12h",
            "9h-12h, 14h-17h",
            "",
            "9h-12h, 14h-17h",
            "9h-12h",
            "10h-12h",
            "",
        ],
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "room",
        name: "Salle des fêtes",
        summary: "La grande salle communale, avec cuisine et scène.",
        tags: "salle, fêtes",
        offset: (120.0, -80.0),
        hours: NO_HOURS,
        parent: Some("mairie-de-saint-placide"),
        capacity: Some(250),
    },
    Sample {
        kind: Kind::Place,
        type_: "room",
        name: "Petite salle de la mairie",
        summary: "Salle de réunion pour 20 personnes, vidéoprojecteur.",
        tags: "salle, réunion",
        offset: (5.0, 10.0),
        hours: NO_HOURS,
        parent: Some("mairie-de-saint-placide"),
        capacity: Some(20),
    },
    Sample {
        kind: Kind::Organisation,
        type_: "business",
        name: "Boulangerie Au Pain de Loire",
        summary: "Pain au levain, viennoiseries et dépôt de journaux.",
        tags: "commerce, pain",
        offset: (-60.0, 90.0),
        hours: [
            "",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-12h30",
        ],
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "public_service",
        name: "Bibliothèque municipale",
        summary: "Prêt de livres, jeux et revues ; animations pour les enfants le mercredi.",
        tags: "lecture, culture, enfants",
        offset: (40.0, 150.0),
        hours: [
            "",
            "16h-18h",
            "10h-12h, 14h-18h",
            "",
            "16h-18h",
            "10h-12h30",
            "",
        ],
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "association",
        name: "Comité des fêtes",
        summary: "Fête du pain, marché de Noël, vide-greniers : on organise, vous venez !",
        tags: "association, fêtes, bénévolat",
        offset: (110.0, -70.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "association",
        name: "US Saint-Placide Football",
        summary: "Le club de foot du village, des U7 aux vétérans.",
        tags: "association, sport, football",
        offset: (-400.0, 350.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "association",
        name: "Chorale Les Voix de Loire",
        summary: "Chorale amateur, répétitions le jeudi soir, nouveaux chanteurs bienvenus.",
        tags: "association, musique, chant",
        offset: (115.0, -75.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "association",
        name: "Les Jardins partagés",
        summary: "Des parcelles, des outils et des graines à partager.",
        tags: "association, jardin, écologie",
        offset: (-250.0, -300.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Organisation,
        type_: "group",
        name: "Covoiturage du marché",
        summary: "Collectif de voisins qui partagent leurs trajets vers le marché de Chalonnes.",
        tags: "mobilité, entraide",
        offset: (-30.0, -45.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Project,
        type_: "project",
        name: "Verger communal",
        summary: "Planter 30 arbres fruitiers anciens au bord de la Loire.",
        tags: "projet, arbres, écologie",
        offset: (-600.0, -150.0),
        hours: NO_HOURS,
        parent: Some("les-jardins-partages"),
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "compost",
        name: "Composteur de la place de l'Église",
        summary: "Déposez vos épluchures ; le broyat est fourni.",
        tags: "compost, déchets, écologie",
        offset: (20.0, 30.0),
        hours: NO_HOURS,
        parent: Some("les-jardins-partages"),
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "oven",
        name: "Four à pain du Bourg",
        summary: "Four communal restauré, allumé pour la fête du pain et sur réservation.",
        tags: "pain, patrimoine",
        offset: (-90.0, 60.0),
        hours: NO_HOURS,
        parent: Some("comite-des-fetes"),
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "book_box",
        name: "Boîte à livres de la gare",
        summary: "Prenez un livre, déposez-en un.",
        tags: "lecture, partage",
        offset: (300.0, 420.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "artwork",
        name: "La Gabare (sculpture)",
        summary: "Sculpture en bois flotté en hommage aux mariniers de Loire.",
        tags: "art, patrimoine, loire",
        offset: (-150.0, 600.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
    Sample {
        kind: Kind::Place,
        type_: "playground",
        name: "Aire de jeux des Tilleuls",
        summary: "Balançoires, toboggan et tables de pique-nique.",
        tags: "enfants, jeux",
        offset: (200.0, -200.0),
        hours: NO_HOURS,
        parent: None,
        capacity: None,
    },
];

fn load_directory(tx: &Connection, people: &[i64]) -> Result<(), AppError> {
    const CENTRE: (f64, f64) = (47.3512, -0.8143);
    let now = db::now();
    for s in SAMPLES {
        let mut hours = Vec::new();
        for (day, text) in s.hours.iter().enumerate() {
            hours.extend(Hours::parse_day(day as u8, text).unwrap_or_default());
        }
        let lat = CENTRE.0 + s.offset.0 / 111_320.0;
        let lon = CENTRE.1 + s.offset.1 / (111_320.0 * CENTRE.0.to_radians().cos());
        let input = ActorInput {
            kind: s.kind,
            type_: s.type_.to_string(),
            name: s.name.to_string(),
            summary: s.summary.to_string(),
            description: "*Page de démonstration d'un village fictif.*".to_string(),
            tags: crate::text::parse_tags(s.tags),
            address: "Saint-Placide-sur-Loire".into(),
            lat: Some(lat),
            lon: Some(lon),
            phone: String::new(),
            website: String::new(),
            social: Vec::new(),
            hours: Hours(hours),
            capacity: s.capacity,
            equipment: if s.type_ == "room" {
                "Tables, chaises, vidéoprojecteur".into()
            } else {
                String::new()
            },
            accessibility: if s.type_ == "room" {
                "Accès de plain-pied, toilettes adaptées".into()
            } else {
                String::new()
            },
            parent_slug: None,
            visibility: Visibility::Public,
        };
        let slug = directory::unique_slug(tx, &crate::text::slugify(s.name))?;
        let parent = match s.parent {
            Some(p) => directory::actor_id_by_slug(tx, p)?,
            None => None,
        };
        let origin = Origin {
            created_by: people.first().copied(),
            profile_of: None,
            rna_id: None,
        };
        let id = directory::insert_actor(tx, &input, &slug, parent, &origin, now)?;
        if let Some(admin) = people.first() {
            members::put_member(tx, id, *admin, MemberRole::Admin, "", true, now)?;
        }
        if slug == "comite-des-fetes" || slug == "chorale-les-voix-de-loire" {
            if let [_, claire, yannick, ..] = people {
                members::put_member(tx, id, *claire, MemberRole::Admin, "présidente", true, now)?;
                members::put_member(tx, id, *yannick, MemberRole::Member, "trésorier", true, now)?;
            }
        }
    }
    Ok(())
}
