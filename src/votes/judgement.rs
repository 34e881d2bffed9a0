//! Majority judgement (Balinski & Laraki): each voter grades every option; an option's
//! majority grade is its lower median; ties are broken by the majority value, the sequence of
//! majority grades obtained by removing one median grade at a time, compared
//! lexicographically (M. Balinski, R. Laraki, « A theory of measuring, electing, and
//! ranking », PNAS 104 (21), 2007).

use std::cmp::Ordering;

/// The grades, best first, as stored: 6 is « Excellent », 0 is « À rejeter ».
pub const GRADES: usize = 7;

/// The translation key of a grade (6 = Excellent .. 0 = À rejeter).
pub fn grade_key(g: u8) -> &'static str {
    match g {
        6 => "votes.grade.6",
        5 => "votes.grade.5",
        4 => "votes.grade.4",
        3 => "votes.grade.3",
        2 => "votes.grade.2",
        1 => "votes.grade.1",
        _ => "votes.grade.0",
    }
}

/// How many voters gave each grade (index = grade) to one option.
pub type Counts = [u64; GRADES];

/// The majority grade of a profile: the lower median (with an even number of grades, the
/// lower of the two middle ones). `None` for no grade at all.
pub fn majority_grade(counts: &Counts) -> Option<u8> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    // Sorted from the worst grade up, the lower median is at index (n - 1) / 2.
    let target = (n - 1) / 2;
    let mut seen = 0;
    for (g, c) in counts.iter().enumerate() {
        seen += c;
        if seen > target {
            return Some(g as u8);
        }
    }
    None
}

/// The majority value: the majority grade, then the majority grade once one instance of it
/// is removed, and so on until no grade is left (Balinski–Laraki's tie-break).
pub fn majority_value(counts: &Counts) -> Vec<u8> {
    let mut left = *counts;
    let mut value = Vec::with_capacity(left.iter().sum::<u64>() as usize);
    while let Some(g) = majority_grade(&left) {
        value.push(g);
        left[g as usize] -= 1;
    }
    value
}

/// Compares two options: `Greater` when `a` ranks above `b`.
pub fn compare(a: &Counts, b: &Counts) -> Ordering {
    majority_value(a).cmp(&majority_value(b))
}

/// The order of the options, best first (indices into `options`); exact ties keep their order.
pub fn rank(options: &[Counts]) -> Vec<usize> {
    let values: Vec<Vec<u8>> = options.iter().map(majority_value).collect();
    let mut order: Vec<usize> = (0..options.len()).collect();
    order.sort_by(|&i, &j| values[j].cmp(&values[i]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile from counts given worst grade first.
    fn profile(pairs: &[(u8, u64)]) -> Counts {
        let mut c = [0; GRADES];
        for &(g, n) in pairs {
            c[g as usize] += n;
        }
        c
    }

    #[test]
    fn the_majority_grade_is_the_lower_median() {
        assert_eq!(majority_grade(&[0; GRADES]), None);
        assert_eq!(majority_grade(&profile(&[(3, 1)])), Some(3));
        // Two voters: « Bien » (4) and « Excellent » (6): the lower of the two, Bien.
        assert_eq!(majority_grade(&profile(&[(4, 1), (6, 1)])), Some(4));
        // Three voters: the middle one.
        assert_eq!(majority_grade(&profile(&[(0, 1), (2, 1), (6, 1)])), Some(2));
    }

    /// The Tennessee capital example, the worked example of majority judgement in English
    /// Wikipedia's « Majority judgment » (section « Example », mirrored by electowiki's
    /// « Majority Judgment » page): 100 voters in four groups near four cities, each grading
    /// its first choice Excellent, its second Good, its third Fair and its last Poor:
    ///   42 % near Memphis:     Memphis > Nashville > Chattanooga > Knoxville
    ///   26 % near Nashville:   Nashville > Chattanooga > Knoxville > Memphis
    ///   15 % near Chattanooga: Chattanooga > Knoxville > Nashville > Memphis
    ///   17 % near Knoxville:   Knoxville > Chattanooga > Nashville > Memphis
    /// Majority grades: Memphis Poor, Nashville Good, Chattanooga Good, Knoxville Fair.
    /// Nashville and Chattanooga tie on Good; removing Good grades one at a time, Chattanooga
    /// falls to Fair first (42 % below Good against Nashville's 32 %): Nashville wins, then
    /// Chattanooga, Knoxville, Memphis. The four grades are ours 6, 5, 3 and 1 here (any
    /// order-preserving mapping gives the same result).
    #[test]
    fn the_tennessee_example_elects_nashville() {
        let (excellent, good, fair, poor) = (6, 5, 3, 1);
        let memphis = profile(&[(excellent, 42), (poor, 26 + 15 + 17)]);
        let nashville = profile(&[(excellent, 26), (good, 42), (fair, 15 + 17)]);
        let chattanooga = profile(&[(excellent, 15), (good, 26 + 17), (fair, 42)]);
        let knoxville = profile(&[(excellent, 17), (good, 15), (fair, 26), (poor, 42)]);
        let cities = [memphis, nashville, chattanooga, knoxville];
        let grades: Vec<Option<u8>> = cities.iter().map(majority_grade).collect();
        assert_eq!(grades, vec![Some(poor), Some(good), Some(good), Some(fair)]);
        assert_eq!(compare(&nashville, &chattanooga), Ordering::Greater);
        assert_eq!(
            rank(&cities),
            vec![1, 2, 3, 0],
            "Nashville, Chattanooga, Knoxville, Memphis"
        );
    }

    /// The tie-break is Balinski–Laraki's majority value, not a mean: an option with more
    /// grades strictly above the shared median than below beats one with more below.
    #[test]
    fn ties_are_broken_by_removing_median_grades() {
        // Both « Bien » (4) for 5 voters; a: 2 above, 2 below; b: 1 above, 2 below.
        let a = profile(&[(1, 2), (4, 1), (6, 2)]);
        let b = profile(&[(1, 2), (4, 2), (5, 1)]);
        assert_eq!(majority_grade(&a), Some(4));
        assert_eq!(majority_grade(&b), Some(4));
        assert_eq!(majority_value(&a), vec![4, 1, 6, 1, 6]);
        assert_eq!(majority_value(&b), vec![4, 1, 4, 1, 5]);
        assert_eq!(
            compare(&a, &b),
            Ordering::Greater,
            "a's grades above Bien win"
        );
        // Identical profiles tie exactly and keep their order.
        assert_eq!(rank(&[a, a]), vec![0, 1]);
    }
}
