//! THE guarantee under load: 64 clients, each with its own session, book the same slots at
//! the same instant; exactly one wins each slot, the others get a clear 409 page, never a 500.

use std::sync::{Arc, Barrier};
use std::time::Instant;

use super::*;

#[test]
fn sixty_four_clients_race_for_the_same_slots_and_exactly_one_wins_each() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    let slug = room(&admin, "Salle Disputée", "");
    assert_eq!(set_rules(&admin, &slug, &[]).status, 303);

    // 64 residents, signed up eight at a time.
    let server = Arc::new(server);
    let clients = residents(&server, 64, "Voisin");
    assert_eq!(clients.len(), 64);

    // Four slots; every client tries all four, starting from a different one.
    let d = plus(monday(2), 2);
    let slots = [
        ("08:00", "10:00"),
        ("10:00", "12:00"),
        ("12:00", "14:00"),
        ("14:00", "16:00"),
    ];
    let barrier = Arc::new(Barrier::new(clients.len()));
    let date = ymd(d);
    let threads: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (barrier, slug, date) = (barrier.clone(), slug.clone(), date.clone());
            std::thread::spawn(move || {
                let page = c.get(&format!("/rooms/{slug}"));
                barrier.wait();
                let mut out = Vec::new();
                for k in 0..slots.len() {
                    let (start, end) = slots[(i + k) % slots.len()];
                    let r = c.post_form(
                        &format!("/rooms/{slug}/book"),
                        &page,
                        &[
                            ("date", date.as_str()),
                            ("start", start),
                            ("end", end),
                            ("actor", ""),
                            ("purpose", &format!("Voisin {i}")),
                            ("repeat", "none"),
                            ("until", ""),
                        ],
                    );
                    let clear = r.status == 303 || r.body.contains("déjà réservé");
                    out.push((start, r.status, clear));
                }
                out
            })
        })
        .collect();
    let started = Instant::now();
    let results: Vec<(&str, u16, bool)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(results.len(), 256);
    eprintln!(
        "rooms race: 64 clients, 256 booking posts answered in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    for (start, _) in slots {
        let won = results
            .iter()
            .filter(|r| r.0 == start && r.1 == 303)
            .count();
        assert_eq!(won, 1, "winners of {start}: {results:?}");
    }
    let lost: Vec<_> = results.iter().filter(|r| r.1 != 303).collect();
    assert_eq!(lost.len(), 252);
    // Every loser got a clear page: 409 with the reason.
    assert!(lost.iter().all(|r| r.1 == 409 && r.2), "{lost:?}");

    // Exactly four confirmed bookings in the room's calendar.
    let api = json(&server.client().get(&format!(
        "/api/v1/rooms/{slug}/bookings?from={date}&to={date}"
    )));
    let busy = api["busy"].as_array().unwrap();
    assert_eq!(busy.len(), 4, "{api}");
}
