//! "Did you mean …?" for names the user typed: settings, tool keys, scheme names.

use crate::search::search_text::distance;

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let best = candidates
        .into_iter()
        .min_by_key(|candidate| (distance(word, candidate), *candidate))?;
    (distance(word, best) <= best.chars().count().max(3) / 2).then_some(best)
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
