//! A line diff between two revisions (longest common subsequence; drafts are short).

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Same(&'a str),
    Added(&'a str),
    Removed(&'a str),
}

/// The lines of `new` compared to `old`. Quadratic in lines; texts past 2,000 lines are
/// shown as all removed then all added rather than spending the Pi's memory.
pub fn lines<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > 2_000 || b.len() > 2_000 {
        let mut out: Vec<Line> = a.into_iter().map(Line::Removed).collect();
        out.extend(b.into_iter().map(Line::Added));
        return out;
    }
    // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(Line::Removed(a[i]));
            i += 1;
        } else {
            out.push(Line::Added(b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| Line::Removed(l)));
    out.extend(b[j..].iter().map(|l| Line::Added(l)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added() {
        let d = lines(
            "Bonjour\nFête samedi\nÀ bientôt",
            "Bonjour\nFête dimanche\nÀ bientôt\nPS",
        );
        assert_eq!(
            d,
            vec![
                Line::Same("Bonjour"),
                Line::Removed("Fête samedi"),
                Line::Added("Fête dimanche"),
                Line::Same("À bientôt"),
                Line::Added("PS"),
            ]
        );
    }
}
