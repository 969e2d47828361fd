//! The words of operations and of search queries, the same on both sides: mcpwright indexes each
//! operation's name, summary, path and parameters with these functions when it generates the
//! crate, and the server splits each `search_operations` query with them, so a word always meets
//! its own form. mcpwright compiles this very file too, so it depends on nothing but the standard
//! library and `rust_stemmers` (Snowball's English stemmer).
//!
//! A word is lower-cased, split from identifiers (`listPullRequests`, `pull_number`,
//! `check-runs`), stripped of English stop words and URLs, and stemmed (`repositories` →
//! `repositori`). Queries are then widened with a small table of words that mean the same thing
//! in API vocabulary (`create`/`add`/`new`, `repo`/`repository`, `PR`/`pull request`): general
//! English and REST usage only, never the words of one particular API.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Appends the stemmed words of prose (a summary, a description, a query) to `out`, in order
/// (repeats kept: they are term frequencies). Identifiers written in prose are split when they
/// start in lower case (`listPets`); a capitalised word keeps its inner capitals (`GitHub`,
/// `JavaScript`, `OAuth` are one word each).
pub fn words_into(text: &str, out: &mut Vec<String>) {
    split_into(text, false, out);
}

/// Appends the stemmed words of an identifier (a tool name, an operationId, a path segment, a
/// parameter name) to `out`: every case change starts a word (`GitHubApp` → `git`, `hub`, `app`).
pub fn identifier_words_into(text: &str, out: &mut Vec<String>) {
    split_into(text, true, out);
}

fn split_into(text: &str, identifier: bool, out: &mut Vec<String>) {
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    for chunk in text.split_whitespace() {
        // Links say where to read more, not what the operation does; their words (`https`,
        // `docs`, `com`) would match every operation of an API whose descriptions all link out.
        let chunk = match chunk.find("://") {
            Some(at) => {
                &chunk[..chunk[..at]
                    .rfind(['(', '<', '"', '\''])
                    .map_or(0, |p| p + 1)]
            }
            None => chunk,
        };
        let pieces = if identifier || chunk.starts_with(|c: char| c.is_lowercase()) {
            identifier_pieces(chunk)
        } else {
            chunk
                .split(|c: char| !c.is_alphanumeric())
                .filter(|piece| !piece.is_empty())
                .flat_map(|piece| {
                    if piece.starts_with(|c: char| c.is_lowercase()) {
                        identifier_pieces(piece)
                    } else {
                        vec![piece]
                    }
                })
                .collect()
        };
        for piece in pieces {
            let lower = piece.to_lowercase();
            let lower = irregular(&lower).unwrap_or(&lower);
            if lower.chars().count() < 2
                || lower.chars().all(|c| c.is_ascii_digit())
                || is_stop_word(lower)
            {
                continue;
            }
            out.push(stemmer.stem(lower).into_owned());
        }
    }
}

/// The stemmed words of `text`.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    words_into(text, &mut out);
    out
}

/// The stemmed words of `query` written with a capital inside a sentence (not its first word, not
/// all capitals): the names of things, people and places ("Sofia Coppola", "Game of Thrones").
pub fn proper_names(query: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut sentence_start = true;
    for chunk in query.split_whitespace() {
        let word: String = chunk.chars().filter(|c| c.is_alphanumeric()).collect();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase)
            && word.chars().skip(1).any(char::is_lowercase);
        if capitalised && !sentence_start {
            names.extend(words(&word));
        }
        sentence_start = chunk.ends_with(['.', '!', '?', ':']);
    }
    names
}

/// The runs of letters and digits in `text`, with identifiers split at case changes:
/// `listPullRequests` → `list`, `Pull`, `Requests`; `HTTPServer` → `HTTP`, `Server`;
/// `oauth2` stays whole.
fn identifier_pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut start: Option<usize> = None;
    for (i, &(at, c)) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if let Some(s) = start.take() {
                pieces.push(&text[s..at]);
            }
            continue;
        }
        let Some(s) = start else {
            start = Some(at);
            continue;
        };
        let previous = chars[i - 1].1;
        let next_is_lower = chars.get(i + 1).is_some_and(|&(_, n)| n.is_lowercase());
        // A new word starts at an upper-case letter after a lower-case letter or digit, and at the
        // last capital of an acronym that a capitalised word follows (`HTTPServer`).
        let boundary = c.is_uppercase()
            && (previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower));
        if boundary {
            pieces.push(&text[s..at]);
            start = Some(at);
        }
    }
    if let Some(s) = start {
        pieces.push(&text[s..]);
    }
    pieces
}

/// English plurals the stemmer does not bring back to their singular.
fn irregular(word: &str) -> Option<&'static str> {
    Some(match word {
        "people" => "person",
        "children" => "child",
        "men" => "man",
        "women" => "woman",
        "indices" => "index",
        "matrices" => "matrix",
        "analyses" => "analysis",
        "statuses" => "status",
        "aliases" => "alias",
        "criteria" => "criterion",
        "media" => "medium",
        _ => return None,
    })
}

/// Words that say nothing about which operation is meant. `me` and `all` are not among them: they
/// pick out the caller's own resources (`/users/me`) and whole collections. `my` is: "my folder"
/// is any folder the caller can see, not the caller's profile.
fn is_stop_word(word: &str) -> bool {
    const STOP: &[&str] = &[
        "a", "about", "above", "after", "again", "against", "am", "an", "and", "any", "are", "as",
        "at", "be", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "could", "did", "do", "does", "doing", "down", "during", "each", "either", "else", "etc",
        "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
        "hers", "him", "his", "how", "however", "if", "in", "into", "is", "it", "its", "itself",
        "just", "let", "may", "might", "more", "most", "must", "no", "nor", "not", "of", "off",
        "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "please", "same",
        "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs",
        "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
        "until", "up", "upon", "us", "use", "used", "uses", "using", "very", "via", "want", "was",
        "we", "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose",
        "why", "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "i",
        "eg", "ie", "also", "my", "mine", "one", "ones", "like", "need", "needs", "there", "thing",
        "things", "way", "ways", "able", "allows", "allow", "lets", "wants", "tool", "tools",
        "given", "whatever", "every",
    ];
    STOP.contains(&word)
}

/// Groups of words and phrases that name the same action or thing in API vocabulary. A query word
/// in a group also searches for the others, at a lower weight ([`SYNONYM_WEIGHT`]).
const SYNONYMS: &[&[&str]] = &[
    // Actions.
    &["create", "add", "new", "make", "insert", "register"],
    &["delete", "remove", "destroy", "erase", "purge", "discard"],
    &[
        "update", "edit", "modify", "change", "alter", "replace", "set",
    ],
    &[
        "get",
        "fetch",
        "retrieve",
        "read",
        "show",
        "view",
        "detail",
        "info",
        "information",
    ],
    &["list", "enumerate", "browse", "all"],
    &["search", "find", "query", "lookup"],
    &[
        "start", "run", "trigger", "launch", "execute", "dispatch", "begin",
    ],
    &["stop", "cancel", "abort", "halt", "terminate", "kill"],
    &["restart", "rerun", "retry", "reboot"],
    &["enable", "activate", "turn on"],
    &["disable", "deactivate", "turn off"],
    &["download", "export"],
    &["upload", "import", "attach"],
    &["subscribe", "watch", "follow"],
    &["unsubscribe", "unwatch", "unfollow"],
    &["count", "total", "tally", "many"],
    &["invite", "invitation"],
    &["approve", "accept", "confirm"],
    &["reject", "decline", "deny"],
    &["send", "post", "publish", "submit"],
    &["copy", "duplicate", "clone"],
    &["move", "transfer", "relocate"],
    &["rename", "retitle"],
    &["similar", "related"],
    &["version", "revision"],
    // Things.
    &["repo", "repository"],
    &["pr", "pull request"],
    &["org", "organization", "organisation"],
    &["env", "environment"],
    &["config", "configuration", "preference"],
    &["login", "sign in", "signin"],
    &["app", "application"],
    &["doc", "document"],
    &["msg", "message"],
    &["image", "picture", "photo", "img", "pic"],
    &["vm", "virtual machine", "instance"],
    &["db", "database"],
    &["id", "identifier"],
    &["user", "account"],
    &["email", "mail", "e-mail"],
    &["permission", "access", "privilege"],
    &["folder", "directory"],
    &["key", "token", "credential"],
    &["statistic", "stats", "metrics", "analytics"],
    &[
        "me",
        "my",
        "mine",
        "myself",
        "current",
        "authenticated",
        "self",
    ],
    &["label", "tag"],
    &["owner", "owned"],
];

/// How much a synonym counts next to the query's own word.
pub const SYNONYM_WEIGHT: f32 = 0.6;

/// One word of a query (or a phrase in the synonym table) and the ways an operation can match
/// it: the word itself, or one of its synonyms (a synonym may be a phrase, all of whose words
/// count).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    /// How much the word counts: 1, or 2 for a word the query repeats.
    pub weight: f32,
    /// Whether the word is the query's own (a phrase found in the synonym table is not: it adds
    /// to the score but not to how much of the query an operation covers).
    pub own: bool,
    /// Alternatives: stemmed words, and the factor their match counts with.
    pub alternatives: Vec<(Vec<String>, f32)>,
}

/// The longest query read, in characters, and the most words kept: a search is a few words, and
/// a bound keeps one request from costing the server more than a moment.
pub const MAX_QUERY_CHARS: usize = 1000;
pub const MAX_QUERY_WORDS: usize = 64;

/// The words of `query`, each with its synonyms.
pub fn query_words(query: &str) -> Vec<QueryWord> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut own = words(&query);
    own.truncate(MAX_QUERY_WORDS);
    let table = synonym_table();
    let mut out: Vec<QueryWord> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let synonyms = |key: &str, exclude: &[String]| -> Vec<(Vec<String>, f32)> {
        let mut alternatives: Vec<(Vec<String>, f32)> = Vec::new();
        for group in table.get(key).into_iter().flatten() {
            for member in group {
                if member.as_slice() != exclude && !alternatives.iter().any(|(m, _)| m == member) {
                    alternatives.push((member.clone(), SYNONYM_WEIGHT));
                }
            }
        }
        alternatives
    };
    for word in &own {
        if let Some(&at) = seen.get(word) {
            out[at].weight = 2.0;
            continue;
        }
        seen.insert(word.clone(), out.len());
        let mut alternatives = vec![(vec![word.clone()], 1.0)];
        alternatives.extend(synonyms(word, std::slice::from_ref(word)));
        out.push(QueryWord {
            weight: 1.0,
            own: true,
            alternatives,
        });
    }
    // Two-word phrases of the table (`pull request`, `sign in`) find their one-word synonyms
    // (`pr`, `login`); phrases are read before stop words go, since many have one.
    let raw = raw_words(&query);
    let mut phrases: Vec<String> = Vec::new();
    for pair in raw.windows(2).take(MAX_QUERY_WORDS) {
        let phrase = format!("{} {}", pair[0], pair[1]);
        if phrases.contains(&phrase) {
            continue;
        }
        let alternatives = synonyms(&phrase, pair);
        if !alternatives.is_empty() {
            out.push(QueryWord {
                weight: 1.0,
                own: false,
                alternatives,
            });
        }
        phrases.push(phrase);
    }
    out
}

/// Stemmed phrase (words joined by one space) → the stemmed members of each group it is in.
type SynonymTable = HashMap<String, Vec<Vec<Vec<String>>>>;

fn synonym_table() -> &'static SynonymTable {
    static TABLE: OnceLock<SynonymTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = SynonymTable::new();
        for group in SYNONYMS {
            // Every phrase is looked up by its words as written (`turn on`), but only phrases
            // without stop words are searched for in the index, which has none: `turn` alone
            // would mean `turn off` as much as `turn on`.
            let members: Vec<Vec<String>> = group
                .iter()
                .map(|phrase| (words(phrase), raw_words(phrase)))
                .filter(|(kept, all)| !kept.is_empty() && kept == all)
                .map(|(kept, _)| kept)
                .collect();
            for phrase in group.iter() {
                table
                    .entry(raw_words(phrase).join(" "))
                    .or_default()
                    .push(members.clone());
            }
        }
        table
    })
}

/// The stemmed words of `phrase`, stop words included, for finding the table's phrases.
fn raw_words(phrase: &str) -> Vec<String> {
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stemmer.stem(&w.to_lowercase()).into_owned())
        .collect()
}

/// Levenshtein distance, for suggesting names close to a mistyped one.
pub fn distance(a: &str, b: &str) -> usize {
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
    fn identifiers_split_into_words() {
        assert_eq!(
            identifier_pieces("listPullRequests pull_number check-runs HTTPServer oauth2 v1"),
            [
                "list", "Pull", "Requests", "pull", "number", "check", "runs", "HTTP", "Server",
                "oauth2", "v1"
            ]
        );
        assert_eq!(identifier_pieces("getByID"), ["get", "By", "ID"]);
    }

    #[test]
    fn words_are_stemmed_without_stop_words_links_or_numbers() {
        assert_eq!(
            words(
                "Lists the repositories of a user. See [docs](https://docs.example.com/rest/repos) 2024"
            ),
            ["list", "repositori", "user", "see", "doc"]
        );
        assert_eq!(words("people"), words("person"));
        assert_eq!(words("GitHub's listPets"), ["github", "list", "pet"]);
        let mut id = Vec::new();
        identifier_words_into("GitHubApp", &mut id);
        assert_eq!(id, ["git", "hub", "app"]);
    }

    #[test]
    fn no_word_is_in_two_synonym_groups() {
        // A stem shared by two groups would join them (`settings` and `set` are both `set`).
        let mut owner: HashMap<String, usize> = HashMap::new();
        for (at, group) in SYNONYMS.iter().enumerate() {
            for phrase in group.iter().filter(|p| words(p) == raw_words(p)) {
                for word in words(phrase) {
                    if let Some(&other) = owner.get(&word) {
                        assert_eq!(
                            other, at,
                            "`{word}` ({phrase}) is in {:?} and {:?}",
                            SYNONYMS[other], group
                        );
                    }
                    owner.insert(word, at);
                }
            }
        }
    }

    #[test]
    fn phrases_with_stop_words_are_found() {
        let words = query_words("please turn on the webhook");
        assert!(
            words.iter().any(|w| !w.own
                && w.alternatives
                    .iter()
                    .any(|(a, _)| a == &["enabl".to_owned()])),
            "{words:?}"
        );
    }

    #[test]
    fn long_queries_are_bounded() {
        let query: String = (0..5000).map(|i| format!("word{i} ")).collect();
        assert!(query_words(&query).len() <= 2 * MAX_QUERY_WORDS);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("listpets", "listpets"), 0);
        assert_eq!(distance("listpet", "listpets"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn proper_names_are_capitalised_inside_sentences() {
        assert_eq!(
            proper_names("Who directed Django Unchained? Tell me. Movies of Sofia"),
            ["django", "unchain", "sofia"]
        );
        assert!(proper_names("List pull requests of a repo").is_empty());
    }

    #[test]
    fn queries_widen_with_synonyms() {
        let words = query_words("open a new PR new");
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(words.len(), 3, "{words:?}");
        assert_eq!(words[1].alternatives[0], (strings(&["new"]), 1.0));
        assert_eq!(words[1].weight, 2.0);
        assert!(
            words[1]
                .alternatives
                .contains(&(strings(&["creat"]), SYNONYM_WEIGHT))
        );
        assert!(
            words[2]
                .alternatives
                .contains(&(strings(&["pull", "request"]), SYNONYM_WEIGHT))
        );
        let phrase = query_words("merge a pull request");
        assert!(
            phrase
                .iter()
                .any(|w| !w.own && w.alternatives == [(strings(&["pr"]), SYNONYM_WEIGHT)])
        );
    }
}
