//! The sending queue: the relay's limits, and a kill -9 in the middle of a 1,000-recipient
//! send.

use super::*;

#[test]
fn the_relay_limit_per_minute_is_respected() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, sink, admin) = server_with_sink(dir.path());
    set_limits(&admin, 3, 500);
    let emails: Vec<String> = (0..8).map(|i| format!("abonne{i}@village.test")).collect();
    import(&admin, "village", &emails);
    let mailing = draft(&admin, "village", "Limites", "Trois par minute.");
    assert_eq!(send_now(&admin, &mailing).status, 303);

    wait_stored(&sink.dir, 3, Duration::from_secs(15));
    // Well past the time the queue needs for the rest: it waits for the next minute.
    std::thread::sleep(Duration::from_secs(4));
    let got = messages(&sink.dir);
    assert_eq!(got.len(), 3, "no more than 3 within the minute");
    let first = got[0].2;
    assert!(got
        .iter()
        .all(|m| m.2.duration_since(first).unwrap() < Duration::from_secs(60)));
    let page = admin.get(&mailing);
    assert!(
        page.body.contains("3 envoyés, 5 en attente"),
        "{}",
        page.body
    );
}

#[test]
fn a_send_killed_with_sigkill_resumes_and_each_subscriber_gets_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, sink, admin) = server_with_sink(dir.path());
    set_limits(&admin, 1_000_000, 1_000_000);
    let emails: Vec<String> = (0..1000).map(|i| format!("r{i:04}@village.test")).collect();
    import(&admin, "village", &emails);
    let mailing = draft(&admin, "village", "Mille", "Un envoi interrompu.");
    assert_eq!(send_now(&admin, &mailing).status, 303);

    // Kill -9 in the middle of the send, after a varying number of mails.
    let started = Instant::now();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as usize;
    wait_stored(&sink.dir, 100 + nanos % 300, Duration::from_secs(60));
    let rate = stored(&sink.dir) as f64 / started.elapsed().as_secs_f64();
    server.child.kill().expect("kill -9 the server");
    server.child.wait().unwrap();
    let at_kill = stored(&sink.dir);
    assert!(
        at_kill < 1000,
        "the send was over before the kill ({at_kill})"
    );

    // The queue resumes at the next start.
    let data = server.data.clone();
    drop(server);
    let _server = Server::start(&data, &[]);
    let restarted = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(120);
    let resumed = loop {
        let got = per_recipient(&sink.dir);
        if emails.iter().all(|e| got.contains_key(e)) {
            break restarted.elapsed();
        }
        assert!(Instant::now() < deadline, "{} of 1000 received", got.len());
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_secs(2));
    let got = per_recipient(&sink.dir);
    assert_eq!(got.len(), 1000);
    // At most the one message in flight at the kill can have gone twice, and then as the
    // same message (same Message-ID): a mail store shows it once.
    let twice: Vec<_> = got.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(
        twice.len() <= 1,
        "{} recipients got two copies",
        twice.len()
    );
    for (to, copies) in &twice {
        assert_eq!(copies.len(), 2, "{to}");
        assert_eq!(
            header(&copies[0], "Message-ID"),
            header(&copies[1], "Message-ID")
        );
    }
    eprintln!(
        "kill -9 after {at_kill} mails ({rate:.0} mails/s); the rest within {:.1} s of the restart; duplicates: {}",
        resumed.as_secs_f64(),
        twice.len()
    );
}

#[test]
fn a_refused_recipient_is_a_recorded_failure_and_a_deferred_one_waits_to_retry() {
    let dir = tempfile::tempdir().unwrap();
    let sink = Sink::start(
        &dir.path().join("sink"),
        &[
            "--reject",
            "parti@village.test",
            "--defer",
            "plein@village.test",
        ],
    );
    let server = Server::start(&dir.path().join("data"), &[]);
    let admin = server.set_up();
    server.use_smtp(&admin, sink.port);
    village_list(&admin);
    let emails: Vec<String> = ["ana", "parti", "plein"]
        .iter()
        .map(|n| format!("{n}@village.test"))
        .collect();
    import(&admin, "village", &emails);
    let mailing = draft(&admin, "village", "Échecs", "Bonjour.");
    assert_eq!(send_now(&admin, &mailing).status, 303);

    wait_stored(&sink.dir, 1, Duration::from_secs(15));
    let deadline = Instant::now() + Duration::from_secs(15);
    let page = loop {
        let page = admin.get(&mailing);
        if page.body.contains("1 envoyés, 1 en attente, 1 en échec") && page.body.contains("451")
        {
            break page;
        }
        assert!(Instant::now() < deadline, "{}", page.body);
        std::thread::sleep(Duration::from_millis(200));
    };
    // The permanent failure and the temporary one are shown with the relay's answer.
    assert!(
        page.body.contains("parti@village.test") && page.body.contains("550"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("plein@village.test") && page.body.contains("451"),
        "{}",
        page.body
    );
    assert!(page.body.contains("échec définitif"));
    // The deferred one is not hammered: its next try is a minute later (backoff).
    std::thread::sleep(Duration::from_secs(3));
    assert!(admin
        .get(&mailing)
        .body
        .contains("1 envoyés, 1 en attente, 1 en échec"));
    assert_eq!(stored(&sink.dir), 1);
    assert_eq!(
        per_recipient(&sink.dir).keys().collect::<Vec<_>>(),
        vec!["ana@village.test"]
    );
}
