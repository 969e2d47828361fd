//! The search index of a generated crate (`src/search_index.tsv`): built by mcpwright when it
//! generates the crate, included in the binary as text, and read once when search mode first
//! needs it. Nothing is indexed at start-up: every weight below was computed at generation time
//! (BM25F over each operation's fields), so a query only adds up the weights of its words.
//!
//! The format is plain text so that a change in ranking shows up in review as a diff:
//!
//! ```text
//! # @generated … (comment lines start with `#`)
//! mcpwright-search-index 1
//! <number of operations>
//! <tool name> TAB <tag> TAB <tag> …                 one line per operation, in tool order
//! <word> TAB <doc>:<weight> <doc>:<weight> …         one line per word, sorted
//! ```
//!
//! A word appears twice: as itself, weighted over all of an operation's fields, and behind `~`,
//! weighted over its short fields alone (see [`CORE_PREFIX`]).
//!
//! `<doc>` is the operation's line number among the operation lines (from 0), written as the
//! difference from the previous entry's on the same line; `<weight>` is hundredths. Both sides of
//! the format live in this file (mcpwright compiles it too), so they cannot drift apart.

use std::collections::HashMap;

use super::search_text;

/// The first line after the comments: the format and its version.
pub const FORMAT_LINE: &str = "mcpwright-search-index 1";

/// Marks a word's weight over an operation's short fields (name, summary, path, action, tags)
/// alone: synonyms of a query's words are looked up there, so that a synonym in a long
/// description does not count as meaning.
pub const CORE_PREFIX: &str = "~";

/// One operation of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// The tool name.
    pub name: String,
    /// The operation's tags.
    pub tags: Vec<String>,
}

/// A parsed index.
#[derive(Debug, Default)]
pub struct Index {
    pub docs: Vec<Doc>,
    /// Word → (operation, weight), by operation.
    terms: HashMap<Box<str>, Box<[(u32, f32)]>>,
}

/// Writes an index: `docs` in tool order, and for each word its operations and weights (in
/// hundredths; zero weights are left out), sorted by word and by operation.
pub fn encode(header: &str, docs: &[Doc], terms: &[(String, Vec<(u32, u32)>)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "{FORMAT_LINE}\n{}", docs.len());
    for doc in docs {
        out.push_str(&clean(&doc.name));
        for tag in &doc.tags {
            out.push('\t');
            out.push_str(&clean(tag));
        }
        out.push('\n');
    }
    for (term, postings) in terms {
        if postings.iter().all(|(_, w)| *w == 0) {
            continue;
        }
        let mut previous = 0;
        let mut first = true;
        out.push_str(term);
        for &(doc, weight) in postings.iter().filter(|(_, w)| *w > 0) {
            out.push(if first { '\t' } else { ' ' });
            first = false;
            // Postings are sorted by operation, so the difference is never negative.
            let _ = write!(out, "{}:{weight}", doc.saturating_sub(previous));
            previous = doc;
        }
        out.push('\n');
    }
    out
}

/// Tabs and line breaks would break the format; in names and tags they are spaces.
fn clean(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}

/// Reads an index written by [`encode`].
pub fn decode(text: &str) -> Result<Index, String> {
    let mut lines = text.lines().filter(|line| !line.starts_with('#'));
    if lines.next() != Some(FORMAT_LINE) {
        return Err(format!(
            "the search index does not start with `{FORMAT_LINE}`"
        ));
    }
    let count: usize = lines
        .next()
        .and_then(|line| line.parse().ok())
        .ok_or("the search index has no operation count")?;
    // The count is the file's word: no allocation is sized by it before the lines are there.
    let mut docs = Vec::new();
    for _ in 0..count {
        let line = lines
            .next()
            .ok_or("the search index ends in its operations")?;
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or_default().to_owned();
        docs.push(Doc {
            name,
            tags: fields.map(str::to_owned).collect(),
        });
    }
    let mut terms = HashMap::new();
    for (number, line) in lines.enumerate() {
        let bad = || format!("the search index's word line {} is malformed", number + 1);
        let (term, postings) = line.split_once('\t').ok_or_else(bad)?;
        let mut doc = 0u32;
        let mut list = Vec::new();
        for posting in postings.split(' ') {
            let (delta, weight) = posting.split_once(':').ok_or_else(bad)?;
            doc = doc
                .checked_add(delta.parse::<u32>().map_err(|_| bad())?)
                .ok_or_else(bad)?;
            let weight = weight.parse::<u32>().map_err(|_| bad())?;
            if doc as usize >= count {
                return Err(bad());
            }
            list.push((doc, weight as f32 / 100.0));
        }
        terms.insert(term.into(), list.into_boxed_slice());
    }
    Ok(Index { docs, terms })
}

/// How much a search operation gains when the query names something by name.
const NAMED_THING_WEIGHT: f32 = 1.0;

/// How much an operation's score grows with the share of the query's own words it matches: an
/// operation that matches every word of "delete a branch protection rule" beats one that matches
/// "delete" very strongly and nothing else.
const COVERAGE_WEIGHT: f32 = 0.5;

impl Index {
    /// The operations that best match `query`, best first, with their scores; at most `limit`,
    /// only those `keep` accepts, and only those that match at least one word. Ties keep tool
    /// order, so results are deterministic.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        keep: impl Fn(usize) -> bool,
    ) -> Vec<(usize, f32)> {
        let query: String = query.chars().take(search_text::MAX_QUERY_CHARS).collect();
        let query = query.as_str();
        let mut words = search_text::query_words(query);
        // A query that names something by its proper name ("movies directed by Sofia Coppola")
        // needs the operation that turns names into ids first: names the index does not know,
        // capitalised inside the query, add a weak wish for search operations.
        if search_text::proper_names(query)
            .iter()
            .any(|name| !self.terms.contains_key(name.as_str()))
        {
            words.push(search_text::QueryWord {
                weight: NAMED_THING_WEIGHT,
                own: false,
                alternatives: search_text::query_words("search")
                    .into_iter()
                    .flat_map(|w| w.alternatives)
                    .collect(),
            });
        }
        let mut scores = vec![0f32; self.docs.len()];
        let mut matched = vec![0u16; self.docs.len()];
        // Each word counts once per operation, through its best-matching alternative (the word
        // itself, or a synonym at a lower factor); words no operation has are left out of the
        // share of the query an operation covers.
        let mut best = vec![0f32; self.docs.len()];
        // Only the operations the caller may see take part, in the scores and in which words
        // count as known: nothing about the others shows through the ranking.
        let kept: Vec<bool> = (0..self.docs.len()).map(&keep).collect();
        let mut touched: Vec<usize> = Vec::new();
        let mut known_words = 0usize;
        for word in &words {
            for (at, (terms, factor)) in word.alternatives.iter().enumerate() {
                // The query's own word matches anywhere; its synonyms only in the short fields.
                let key = |term: &str| match (at, word.own) {
                    (0, true) => term.to_owned(),
                    _ => format!("{CORE_PREFIX}{term}"),
                };
                if let [term] = terms.as_slice() {
                    let Some(postings) = self.terms.get(key(term).as_str()) else {
                        continue;
                    };
                    for &(doc, weight) in postings.iter() {
                        let doc = doc as usize;
                        if !kept[doc] {
                            continue;
                        }
                        if best[doc] == 0.0 {
                            touched.push(doc);
                        }
                        best[doc] = best[doc].max(factor * weight);
                    }
                    continue;
                }
                // A phrase (`pull request`) matches only operations that have all of its words.
                let mut sums: HashMap<u32, (usize, f32)> = HashMap::new();
                for term in terms {
                    for &(doc, weight) in self.terms.get(key(term).as_str()).into_iter().flatten() {
                        let entry = sums.entry(doc).or_default();
                        entry.0 += 1;
                        entry.1 += weight;
                    }
                }
                for (doc, (count, sum)) in sums {
                    let doc = doc as usize;
                    if count == terms.len() && kept[doc] {
                        if best[doc] == 0.0 {
                            touched.push(doc);
                        }
                        best[doc] = best[doc].max(factor * sum);
                    }
                }
            }
            if word.own && !touched.is_empty() {
                known_words += 1;
            }
            for doc in touched.drain(..) {
                scores[doc] += word.weight * best[doc];
                if word.own {
                    matched[doc] += 1;
                }
                best[doc] = 0.0;
            }
        }
        let own_words = known_words.max(1);
        let mut ranked: Vec<(usize, f32)> = scores
            .iter()
            .enumerate()
            .filter(|&(doc, &score)| score > 0.0 && kept[doc])
            .map(|(doc, &score)| {
                let coverage = f32::from(matched[doc]) / own_words as f32;
                (doc, score * (1.0 + COVERAGE_WEIGHT * coverage))
            })
            .collect();
        let by_score = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit, by_score);
            ranked.truncate(limit);
        }
        ranked.sort_by(by_score);
        ranked
    }

    /// The weight of `word` (stemmed) for operation `doc`: zero when the operation lacks it.
    pub fn weight(&self, word: &str, doc: usize) -> f32 {
        self.terms
            .get(word)
            .and_then(|postings| postings.iter().find(|(d, _)| *d as usize == doc))
            .map_or(0.0, |(_, w)| *w)
    }

    /// The number of distinct words.
    pub fn words(&self) -> usize {
        self.terms.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Doc> {
        vec![
            Doc {
                name: "listPets".into(),
                tags: vec!["pets".into()],
            },
            Doc {
                name: "deletePet".into(),
                tags: vec!["pets".into(), "admin\tstuff".into()],
            },
        ]
    }

    #[test]
    fn round_trips() {
        let terms = vec![
            ("delet".to_owned(), vec![(1, 250)]),
            ("pet".to_owned(), vec![(0, 120), (1, 80)]),
            ("zero".to_owned(), vec![(0, 0), (1, 5)]),
        ];
        let text = encode("@generated by a test\nsecond line", &docs(), &terms);
        assert!(
            text.starts_with(
                "# @generated by a test\n# second line\nmcpwright-search-index 1\n2\n"
            )
        );
        assert!(text.contains("deletePet\tpets\tadmin stuff\n"));
        assert!(text.contains("pet\t0:120 1:80\n"));
        assert!(text.contains("zero\t1:5\n"));
        let index = decode(&text).unwrap();
        assert_eq!(index.docs[1].tags, ["pets", "admin stuff"]);
        assert_eq!(index.words(), 3);
        let found = index.search("delete the pets", 5, |_| true);
        assert_eq!(found[0].0, 1);
        assert_eq!(found.len(), 2);
        assert!(
            index
                .search("pets", 5, |doc| doc != 0)
                .iter()
                .all(|(d, _)| *d == 1)
        );
        assert!(index.search("nothing matches", 5, |_| true).is_empty());
    }

    #[test]
    fn malformed_indexes_are_errors() {
        assert!(decode("").is_err());
        assert!(decode("mcpwright-search-index 1\n1\n").is_err());
        assert!(decode("mcpwright-search-index 1\n1\nname\nword\t5:10\n").is_err());
        assert!(decode("mcpwright-search-index 1\n1\nname\nword\tx\n").is_err());
        assert!(decode("mcpwright-search-index 1\n99999999999\nname\n").is_err());
        assert!(decode("mcpwright-search-index 1\n1\nname\nword\t0:1 4294967295:1\n").is_err());
    }
}
