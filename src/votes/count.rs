//! The count: ballots in, the result out (no database, no clock). The store calls it inside
//! the write transaction that keeps the result, so what is published is what was counted.

use super::judgement::{self, Counts, GRADES};
use super::{Choice, Method, Ranked, Threshold};

/// What a count needs to know about the proposal.
pub struct Rules<'a> {
    pub method: Method,
    pub quorum_pct: i64,
    pub threshold: Threshold,
    pub options: &'a [Choice],
}

/// A counted result (without its time).
#[derive(Debug, PartialEq, Eq)]
pub struct Counted {
    pub voters: i64,
    pub outcome: &'static str,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
    pub ranking: Vec<Ranked>,
}

/// Whether `voters` out of `eligible` reach a quorum of `pct` %.
pub fn quorum_met(pct: i64, voters: i64, eligible: i64) -> bool {
    pct <= 0 || (eligible > 0 && voters * 100 >= pct * eligible)
}

/// Parses a majority-judgement ballot: one digit (0..=6) per option, in their order.
pub fn grades(choice: &str, options: usize) -> Option<Vec<u8>> {
    let g: Vec<u8> = choice
        .bytes()
        .map(|b| b.wrapping_sub(b'0'))
        .take_while(|d| (*d as usize) < GRADES)
        .collect();
    (g.len() == options && choice.len() == options).then_some(g)
}

/// Counts `ballots` (as stored) for a proposal with `eligible` voters.
pub fn count(rules: &Rules, eligible: i64, ballots: &[String]) -> Counted {
    let voters = ballots.len() as i64;
    let quorum = quorum_met(rules.quorum_pct, voters, eligible);
    match rules.method {
        Method::YesNo => {
            let n = |v: &str| ballots.iter().filter(|b| *b == v).count() as u64;
            let (yes, no, abstain) = (n("yes"), n("no"), n("abstain"));
            let outcome = if !quorum {
                "no_quorum"
            } else if rules.threshold.passes(yes, no) {
                "adopted"
            } else {
                "rejected"
            };
            Counted {
                voters,
                outcome,
                yes: yes as i64,
                no: no as i64,
                abstain: abstain as i64,
                ranking: Vec::new(),
            }
        }
        Method::Judgement => {
            let mut profiles: Vec<Counts> = vec![[0; GRADES]; rules.options.len()];
            for b in ballots {
                if let Some(g) = grades(b, rules.options.len()) {
                    for (i, grade) in g.into_iter().enumerate() {
                        profiles[i][grade as usize] += 1;
                    }
                }
            }
            let ranking = judgement::rank(&profiles)
                .into_iter()
                .map(|i| Ranked {
                    option: rules.options[i].id,
                    label: rules.options[i].label.clone(),
                    grade: judgement::majority_grade(&profiles[i]),
                    counts: profiles[i],
                })
                .collect();
            let outcome = match (quorum, voters) {
                (false, _) => "no_quorum",
                (true, 0) => "none",
                (true, _) => "chosen",
            };
            Counted {
                voters,
                outcome,
                yes: 0,
                no: 0,
                abstain: 0,
                ranking,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes_no(quorum_pct: i64, threshold: Threshold) -> Rules<'static> {
        Rules {
            method: Method::YesNo,
            quorum_pct,
            threshold,
            options: &[],
        }
    }

    fn ballots(yes: usize, no: usize, abstain: usize) -> Vec<String> {
        let mut b = vec!["yes".to_string(); yes];
        b.extend(vec!["no".to_string(); no]);
        b.extend(vec!["abstain".to_string(); abstain]);
        b
    }

    #[test]
    fn thresholds_are_shares_of_yes_and_no_only() {
        assert!(Threshold::Half.passes(6, 5));
        assert!(!Threshold::Half.passes(5, 5), "a tie is not more than half");
        assert!(
            Threshold::TwoThirds.passes(2, 1),
            "exactly two thirds passes"
        );
        assert!(!Threshold::TwoThirds.passes(65, 35));
        assert!(!Threshold::Half.passes(0, 0));
        // Abstentions count for the quorum, not for the majority.
        let c = count(&yes_no(50, Threshold::Half), 20, &ballots(3, 2, 6));
        assert_eq!((c.outcome, c.yes, c.no, c.abstain), ("adopted", 3, 2, 6));
    }

    #[test]
    fn the_quorum_is_a_share_of_the_eligible_voters() {
        assert!(quorum_met(0, 0, 0));
        assert!(quorum_met(25, 25, 100));
        assert!(!quorum_met(25, 24, 100));
        assert!(!quorum_met(10, 0, 0));
        let c = count(&yes_no(30, Threshold::Half), 100, &ballots(20, 5, 0));
        assert_eq!(c.outcome, "no_quorum");
        let c = count(&yes_no(20, Threshold::TwoThirds), 100, &ballots(10, 6, 4));
        assert_eq!(c.outcome, "rejected");
    }

    #[test]
    fn judgement_ballots_are_one_digit_per_option() {
        assert_eq!(grades("604", 3), Some(vec![6, 0, 4]));
        assert_eq!(grades("60", 3), None);
        assert_eq!(grades("697", 3), None);
        assert_eq!(grades("6a4", 3), None);
        let options = [
            Choice {
                id: 10,
                position: 0,
                label: "Halle".into(),
            },
            Choice {
                id: 11,
                position: 1,
                label: "Lavoir".into(),
            },
        ];
        let rules = Rules {
            method: Method::Judgement,
            quorum_pct: 0,
            threshold: Threshold::Half,
            options: &options,
        };
        let c = count(&rules, 3, &["25".into(), "36".into(), "14".into()]);
        assert_eq!(c.outcome, "chosen");
        assert_eq!(c.ranking[0].label, "Lavoir");
        assert_eq!(c.ranking[0].grade, Some(5));
        assert_eq!(c.ranking[1].grade, Some(2));
    }
}
