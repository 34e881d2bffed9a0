//! Word lists of the generated datasets: real communes of Maine-et-Loire (approximate town
//! centres), and the activities, trades and places one finds in them.

/// (commune, latitude, longitude). The first is the fictional village at the centre.
pub const COMMUNES: &[(&str, f64, f64)] = &[
    ("Saint-Placide-sur-Loire", 47.3512, -0.8143),
    ("Chalonnes-sur-Loire", 47.3500, -0.7625),
    ("Rochefort-sur-Loire", 47.3564, -0.6561),
    ("Montjean-sur-Loire", 47.3897, -0.8625),
    ("Saint-Georges-sur-Loire", 47.4083, -0.7625),
    ("Savennières", 47.3828, -0.6567),
    ("Chemillé", 47.2122, -0.7281),
    ("Saint-Florent-le-Vieil", 47.3611, -1.0139),
    ("Angers", 47.4784, -0.5632),
    ("Cholet", 47.0600, -0.8786),
    ("Saumur", 47.2600, -0.0769),
    ("Beaupréau", 47.2042, -0.9878),
    ("Segré", 47.6864, -0.8717),
    ("Baugé", 47.5417, -0.1033),
    ("Doué-la-Fontaine", 47.1933, -0.2750),
    ("Montreuil-Bellay", 47.1311, -0.1533),
    ("Brissac-Quincé", 47.3553, -0.4497),
    ("Durtal", 47.6722, -0.2339),
    ("Pouancé", 47.7417, -1.1736),
    ("Candé", 47.5625, -1.0364),
    ("Longué-Jumelles", 47.3781, -0.1081),
    ("Les Ponts-de-Cé", 47.4244, -0.5244),
    ("Trélazé", 47.4458, -0.4656),
    ("Avrillé", 47.5061, -0.5889),
    ("Champtoceaux", 47.3369, -1.2636),
    ("Vihiers", 47.1464, -0.5328),
    ("Thouarcé", 47.2650, -0.5050),
    ("Le Lion-d'Angers", 47.6292, -0.7150),
    ("Châteauneuf-sur-Sarthe", 47.6789, -0.4878),
    ("Gennes", 47.3406, -0.2317),
];

/// Associations: (name stem, tags, summary).
pub const ACTIVITIES: &[(&str, &str, &str)] = &[
    (
        "Club de football",
        "sport, football",
        "Des U7 aux vétérans, entraînements le mercredi et le vendredi.",
    ),
    (
        "Tennis club",
        "sport, tennis",
        "Cours collectifs, tournoi d'été et terrains en accès libre pour les adhérents.",
    ),
    (
        "Chorale",
        "musique, chant",
        "Chorale amateur, répétitions le jeudi soir ; nouveaux chanteurs bienvenus.",
    ),
    (
        "École de musique",
        "musique, enfants",
        "Éveil musical, piano, guitare, batterie et orchestre des jeunes.",
    ),
    (
        "Club de randonnée",
        "sport, randonnée, nature",
        "Sorties le dimanche matin sur les chemins des Mauges et de la Loire.",
    ),
    (
        "Amicale des aînés",
        "seniors, convivialité",
        "Jeux de cartes, repas mensuel et voyages à la journée.",
    ),
    (
        "Comité des fêtes",
        "fêtes, bénévolat",
        "Fête de la musique, vide-greniers et marché de Noël.",
    ),
    (
        "Association des parents d'élèves",
        "école, enfants",
        "Kermesse, bourse aux livres et sorties scolaires.",
    ),
    (
        "Jardins partagés",
        "jardin, écologie",
        "Des parcelles, des outils et des graines à partager.",
    ),
    (
        "Atelier théâtre",
        "culture, théâtre",
        "Troupe amateur : une création par an, ateliers enfants et adultes.",
    ),
    (
        "Gymnastique volontaire",
        "sport, santé",
        "Gym douce, renforcement musculaire et marche nordique.",
    ),
    (
        "Amis de la bibliothèque",
        "lecture, culture",
        "Lectures à voix haute, prix des lecteurs et portage de livres.",
    ),
    (
        "Photo-club",
        "photo, culture",
        "Sorties photo, labo numérique et exposition annuelle.",
    ),
    (
        "Repair café",
        "réparation, écologie",
        "Un samedi par mois, on répare ensemble au lieu de jeter.",
    ),
    (
        "Yoga pour tous",
        "sport, yoga, bien-être",
        "Hatha yoga le mardi soir, tous niveaux.",
    ),
    (
        "Secours populaire",
        "solidarité",
        "Aide alimentaire, vestiaire et accompagnement des familles.",
    ),
    (
        "Judo club",
        "sport, judo, enfants",
        "Judo et jujitsu dès 4 ans, ceinture noire bienvenue.",
    ),
    (
        "Cyclo-club",
        "sport, vélo",
        "Sorties route et VTT, randonnée annuelle des vignes.",
    ),
    (
        "Boule de fort",
        "sport, tradition",
        "La boule de fort angevine, concours et initiation.",
    ),
    (
        "Club de pétanque",
        "sport, pétanque",
        "Concours en doublette tout l'été.",
    ),
    (
        "Société de chasse",
        "nature, chasse",
        "Gestion du gibier et entretien des haies.",
    ),
    (
        "Cinéma associatif",
        "culture, cinéma",
        "Une séance par semaine et un festival du court métrage.",
    ),
    (
        "Association de sauvegarde du patrimoine",
        "patrimoine, histoire",
        "Restauration du lavoir et visites du bourg.",
    ),
    (
        "Accueil des nouveaux habitants",
        "convivialité, accueil",
        "Pot d'accueil et parrainage des nouveaux arrivants.",
    ),
    (
        "AMAP",
        "alimentation, agriculture, bio",
        "Paniers de légumes bio chaque jeudi, producteurs du canton.",
    ),
];

/// Businesses and public services: (type, name stem, tags, summary, opening hours Monday..Sunday).
pub const TRADES: &[(&str, &str, &str, &str, [&str; 7])] = &[
    (
        "business",
        "Boulangerie",
        "commerce, pain",
        "Pain au levain, viennoiseries et pâtisseries maison.",
        [
            "",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-13h, 15h30-19h",
            "7h-12h30",
        ],
    ),
    (
        "business",
        "Épicerie",
        "commerce, alimentation",
        "Épicerie de proximité, produits locaux et dépôt de pain.",
        [
            "9h-12h30, 15h-19h",
            "9h-12h30, 15h-19h",
            "9h-12h30",
            "9h-12h30, 15h-19h",
            "9h-12h30, 15h-19h",
            "9h-19h",
            "9h-12h",
        ],
    ),
    (
        "business",
        "Café",
        "commerce, café, convivialité",
        "Café, tabac, presse ; concerts le vendredi soir.",
        [
            "7h-20h", "7h-20h", "7h-20h", "7h-20h", "7h-22h", "8h-22h", "9h-13h",
        ],
    ),
    (
        "business",
        "Garage",
        "commerce, automobile",
        "Entretien, réparation toutes marques et contrôle avant contrôle technique.",
        [
            "8h-12h, 14h-18h",
            "8h-12h, 14h-18h",
            "8h-12h, 14h-18h",
            "8h-12h, 14h-18h",
            "8h-12h, 14h-17h",
            "",
            "",
        ],
    ),
    (
        "business",
        "Salon de coiffure",
        "commerce, coiffure",
        "Coiffure mixte, sur rendez-vous ou sans.",
        ["", "9h-18h", "9h-18h", "9h-18h", "9h-19h", "8h30-16h", ""],
    ),
    (
        "business",
        "Ferme",
        "agriculture, vente directe, bio",
        "Vente à la ferme : légumes, œufs et volailles.",
        ["", "", "", "", "16h-19h", "9h-12h", ""],
    ),
    (
        "business",
        "Pharmacie",
        "santé, commerce",
        "Pharmacie, matériel médical et conseils.",
        [
            "9h-12h30, 14h-19h30",
            "9h-12h30, 14h-19h30",
            "9h-12h30, 14h-19h30",
            "9h-12h30, 14h-19h30",
            "9h-12h30, 14h-19h30",
            "9h-12h30",
            "",
        ],
    ),
    (
        "business",
        "Librairie",
        "commerce, lecture, culture",
        "Librairie indépendante : romans, BD, jeunesse et rencontres d'auteurs.",
        [
            "", "10h-19h", "10h-19h", "10h-19h", "10h-19h", "10h-19h", "",
        ],
    ),
    (
        "public_service",
        "Mairie",
        "mairie, services",
        "Accueil, état civil, urbanisme, location des salles communales.",
        [
            "9h-12h",
            "9h-12h, 14h-17h",
            "",
            "9h-12h, 14h-17h",
            "9h-12h",
            "10h-12h",
            "",
        ],
    ),
    (
        "public_service",
        "Médiathèque",
        "lecture, culture, enfants",
        "Prêt de livres, jeux et revues ; animations le mercredi.",
        [
            "",
            "16h-18h",
            "10h-12h, 14h-18h",
            "",
            "16h-18h",
            "10h-12h30",
            "",
        ],
    ),
];

/// Places: (type, name stem, tags, summary).
pub const PLACES: &[(&str, &str, &str, &str)] = &[
    (
        "room",
        "Salle des fêtes",
        "salle, fêtes",
        "La grande salle communale, avec cuisine et scène.",
    ),
    (
        "room",
        "Salle de réunion",
        "salle, réunion",
        "Salle de réunion pour 20 personnes, vidéoprojecteur.",
    ),
    (
        "compost",
        "Composteur",
        "compost, déchets, écologie",
        "Déposez vos épluchures ; le broyat est fourni.",
    ),
    (
        "oven",
        "Four à pain",
        "pain, patrimoine",
        "Four communal restauré, allumé pour la fête du pain.",
    ),
    (
        "book_box",
        "Boîte à livres",
        "lecture, partage",
        "Prenez un livre, déposez-en un.",
    ),
    (
        "playground",
        "Aire de jeux",
        "enfants, jeux",
        "Balançoires, toboggan et tables de pique-nique.",
    ),
    (
        "artwork",
        "Fresque",
        "art, patrimoine",
        "Fresque peinte par les enfants de l'école et un artiste du canton.",
    ),
];

/// Family names for businesses.
pub const SURNAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Blanchard",
    "Guérin",
    "Chevalier",
    "Gautier",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gaillard",
    "Brunet",
    "Chauvin",
    "Rivière",
    "Cousin",
    "Poirier",
    "Brossard",
    "Godin",
    "Ménard",
    "Boursier",
    "Humeau",
];

/// Quarters and hamlets, to tell apart two clubs of one commune.
pub const QUARTERS: &[&str] = &[
    "du Bourg",
    "de la Gare",
    "des Tilleuls",
    "du Moulin",
    "de la Madeleine",
    "des Trois Ponts",
    "de la Croix",
    "du Port",
    "des Vignes",
    "de l'Église",
    "du Lavoir",
    "des Noues",
    "de la Rivière",
    "du Plessis",
    "de la Forge",
    "des Rochettes",
];

/// "de Cholet", "d'Angers", "du Lion-d'Angers", "des Ponts-de-Cé".
pub fn of_commune(commune: &str) -> String {
    if let Some(rest) = commune.strip_prefix("Le ") {
        format!("du {rest}")
    } else if let Some(rest) = commune.strip_prefix("Les ") {
        format!("des {rest}")
    } else if commune.starts_with(['A', 'E', 'É', 'I', 'O', 'U', 'Y']) {
        format!("d'{commune}")
    } else {
        format!("de {commune}")
    }
}
