//! "Did you mean …?" for names the user typed: settings, tool keys, scheme names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let best = candidates
        .into_iter()
        .min_by_key(|candidate| (distance(word, candidate), *candidate))?;
    (distance(word, best) <= best.chars().count().max(3) / 2).then_some(best)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_near_misses() {
        let names = ["include_tags", "exclude_tags", "include_ops"];
        assert_eq!(closest("include_tag", names), Some("include_tags"));
        assert_eq!(closest("listPet", ["listPets", "getPet"]), Some("listPets"));
        assert_eq!(closest("zzz", names), None);
        assert_eq!(closest("a", std::iter::empty()), None);
    }
}
