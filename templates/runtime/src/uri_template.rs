//! The URI templates of MCP resources (RFC 6570), the subset a resource made from an HTTP
//! operation needs: literal text, `{var}` (one path segment's worth: no `/`, `?` or `#`), `{+var}`
//! (reserved expansion: may span `/`) and, last, `{?a,b}` (form-style query). Matching a URI gives
//! each variable's value, percent-decoded.
//!
//! The generator compiles this file too (`#[path]`), to check the templates users give, so the
//! server and `mcpwright generate` cannot read a template differently. It uses only `std`.

/// The longest URI matched: resource URIs are short, and a bound keeps a hostile one cheap.
pub const MAX_URI_BYTES: usize = 2048;

/// A parsed URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// `{var}`.
    Simple(String),
    /// `{+var}`.
    Reserved(String),
    /// `{?a,b}`: only as the last part.
    Query(Vec<String>),
}

impl UriTemplate {
    /// Parses `template`; the error says what is wrong, for a message that names the template.
    pub fn parse(template: &str) -> Result<UriTemplate, String> {
        let scheme = template.split_once(':').map_or("", |(scheme, _)| scheme);
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_ok {
            return Err("it does not start with a URI scheme (`name:`)".to_owned());
        }
        let mut parts = Vec::new();
        let mut rest = template;
        let mut names: Vec<String> = Vec::new();
        while !rest.is_empty() {
            if let Some(Part::Query(_)) = parts.last() {
                return Err("`{?…}` must be the template's last expression".to_owned());
            }
            match rest.find('{') {
                Some(0) => {
                    let Some(end) = rest.find('}') else {
                        return Err("a `{` is not closed".to_owned());
                    };
                    let expression = &rest[1..end];
                    let part = expression_part(expression)?;
                    for name in part_names(&part) {
                        if names.iter().any(|n| n == name) {
                            return Err(format!("the variable `{name}` appears twice"));
                        }
                        names.push(name.to_owned());
                    }
                    if let (
                        Some(Part::Simple(_) | Part::Reserved(_)),
                        Part::Simple(_) | Part::Reserved(_),
                    ) = (parts.last(), &part)
                    {
                        return Err(
                            "two variables follow each other with nothing between them, so a URI cannot say where one ends"
                                .to_owned(),
                        );
                    }
                    parts.push(part);
                    rest = &rest[end + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let literal = &rest[..end];
                    if literal.contains('}') {
                        return Err("a `}` has no `{`".to_owned());
                    }
                    if let Some(c) = literal
                        .chars()
                        .find(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`|".contains(*c))
                    {
                        return Err(format!("`{c}` may not appear in a URI"));
                    }
                    parts.push(Part::Literal(literal.to_owned()));
                    rest = &rest[end..];
                }
            }
        }
        if matches!(parts.last(), Some(Part::Query(_)))
            && parts
                .iter()
                .any(|part| matches!(part, Part::Literal(text) if text.contains('?')))
        {
            return Err(
                "it has both a literal `?` and a `{?…}` expression; put every query parameter in the `{?…}`"
                    .to_owned(),
            );
        }
        Ok(UriTemplate { parts })
    }

    /// The variables, in the order they appear.
    pub fn variables(&self) -> Vec<&str> {
        self.parts.iter().flat_map(part_names).collect()
    }

    /// Whether the template has no variables: it names one resource.
    pub fn is_fixed(&self) -> bool {
        self.parts
            .iter()
            .all(|part| matches!(part, Part::Literal(_)))
    }

    /// The values of the variables in `uri`, when `uri` is an instance of this template; each
    /// value is percent-decoded, and a query variable given twice has two values.
    pub fn matches(&self, uri: &str) -> Option<Vec<(String, String)>> {
        if uri.len() > MAX_URI_BYTES {
            return None;
        }
        let (base, query) = match self.parts.last() {
            Some(Part::Query(names)) => {
                let (base, query) = uri.split_once('?').unwrap_or((uri, ""));
                (base, Some((names, query)))
            }
            _ => (uri, None),
        };
        let path_parts = match query {
            Some(_) => &self.parts[..self.parts.len() - 1],
            None => &self.parts[..],
        };
        let mut raw = Vec::new();
        if !match_parts(path_parts, base, &mut raw) {
            return None;
        }
        let mut values = Vec::with_capacity(raw.len());
        for (name, text) in raw {
            values.push((name.to_owned(), decode(text)?));
        }
        if let Some((names, query)) = query {
            for pair in query.split('&').filter(|pair| !pair.is_empty()) {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let key = decode(key)?;
                if !names.contains(&key) {
                    return None;
                }
                values.push((key, decode(value)?));
            }
        }
        Some(values)
    }
}

fn part_names(part: &Part) -> Vec<&str> {
    match part {
        Part::Literal(_) => Vec::new(),
        Part::Simple(name) | Part::Reserved(name) => vec![name.as_str()],
        Part::Query(names) => names.iter().map(String::as_str).collect(),
    }
}

fn expression_part(expression: &str) -> Result<Part, String> {
    let (operator, list) = match expression.chars().next() {
        Some('+') => (Some('+'), &expression[1..]),
        Some('?') => (Some('?'), &expression[1..]),
        Some(c) if "#./;&=,!@|".contains(c) => {
            return Err(format!(
                "`{{{expression}}}` uses the `{c}` operator; resource templates support `{{var}}`, `{{+var}}` and a final `{{?a,b}}`"
            ));
        }
        _ => (None, expression),
    };
    let names: Vec<&str> = list.split(',').collect();
    for name in &names {
        if name.is_empty() {
            return Err(format!("`{{{expression}}}` has an empty variable name"));
        }
        if name.ends_with('*') || name.contains(':') {
            return Err(format!(
                "`{{{expression}}}` uses a modifier (`*` or `:n`), which resource templates do not support"
            ));
        }
        if !is_varname(name) {
            return Err(format!(
                "`{name}` is not a URI template variable name (letters, digits, `_` and inner `.`)"
            ));
        }
    }
    match operator {
        Some('?') => Ok(Part::Query(names.iter().map(|n| (*n).to_owned()).collect())),
        _ if names.len() > 1 => Err(format!(
            "`{{{expression}}}` lists several variables; give each its own `{{…}}`"
        )),
        Some('+') => Ok(Part::Reserved(names[0].to_owned())),
        _ => Ok(Part::Simple(names[0].to_owned())),
    }
}

/// RFC 6570 `varname`, without percent-encoded characters.
fn is_varname(name: &str) -> bool {
    !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Matches `parts` against the whole of `text`, pushing each variable's raw (still encoded) text.
/// A variable takes the shortest run that lets the rest match, so `x://{a}.json` reads
/// `b.c.json` as `a = b.c`. Only the ends where the literal after the variable starts are tried
/// (the parser keeps two variables from touching), and nothing is decoded until the whole URI has
/// matched, so a long URI costs little.
fn match_parts<'p, 't>(
    parts: &'p [Part],
    text: &'t str,
    values: &mut Vec<(&'p str, &'t str)>,
) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Literal(literal) => text
            .strip_prefix(literal.as_str())
            .is_some_and(|after| match_parts(rest, after, values)),
        Part::Simple(name) | Part::Reserved(name) => {
            let reserved = matches!(first, Part::Reserved(_));
            let stop = |c: char| c == '?' || c == '#' || (!reserved && c == '/');
            let limit = text.find(stop).unwrap_or(text.len());
            let ends: Vec<usize> = match rest.first() {
                // The rest of the URI must be the next literal and what follows it.
                Some(Part::Literal(next)) => text[..limit + next.len().min(text.len() - limit)]
                    .match_indices(next.as_str())
                    .map(|(at, _)| at)
                    .filter(|&at| at > 0 && at <= limit)
                    .collect(),
                // Nothing follows: the variable is all that is left.
                _ => (limit > 0 && limit == text.len())
                    .then_some(limit)
                    .into_iter()
                    .collect(),
            };
            for end in ends {
                let mark = values.len();
                values.push((name.as_str(), &text[..end]));
                if match_parts(rest, &text[end..], values) {
                    return true;
                }
                values.truncate(mark);
            }
            false
        }
        Part::Query(_) => unreachable!("the query part is matched on its own"),
    }
}

/// Percent-decodes `text` (`+` is a plus sign, as in URIs); `None` when it is not valid UTF-8
/// after decoding or an escape is broken.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text.get(at + 1..at + 3)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(template: &str, uri: &str) -> Option<Vec<(String, String)>> {
        UriTemplate::parse(template).unwrap().matches(uri)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn matches_path_variables() {
        assert_eq!(
            values("test://template/{id}/data", "test://template/123/data"),
            Some(pairs(&[("id", "123")]))
        );
        assert_eq!(
            values("test://template/{id}/data", "test://template/1/2/data"),
            None
        );
        assert_eq!(
            values("test://template/{id}/data", "test://template//data"),
            None
        );
        assert_eq!(
            values("test://static-text", "test://static-text"),
            Some(vec![])
        );
        assert_eq!(values("test://static-text", "test://static-text/"), None);
        assert_eq!(
            values("x://files/{+path}", "x://files/a/b%20c.txt"),
            Some(pairs(&[("path", "a/b c.txt")]))
        );
        assert_eq!(
            values("x://{name}.json", "x://b.c.json"),
            Some(pairs(&[("name", "b.c")]))
        );
    }

    #[test]
    fn matches_the_query() {
        let template = "x://pets{?limit,tag}";
        assert_eq!(values(template, "x://pets"), Some(vec![]));
        assert_eq!(
            values(template, "x://pets?limit=5&tag=a%26b&tag=c"),
            Some(pairs(&[("limit", "5"), ("tag", "a&b"), ("tag", "c")]))
        );
        // A parameter the template does not name is not this resource.
        assert_eq!(values(template, "x://pets?kind=cat"), None);
        assert_eq!(values("x://pets", "x://pets?limit=5"), None);
    }

    #[test]
    fn a_broken_escape_matches_nothing() {
        assert_eq!(values("x://pets/{id}", "x://pets/%zz"), None);
        assert_eq!(values("x://pets/{id}", "x://pets/%ff"), None);
        assert_eq!(values("x://pets/{id}", "x://pets/%+4"), None);
    }

    #[test]
    fn long_and_hostile_uris_are_cheap() {
        // Each variable tries only the places its next literal starts, and nothing is decoded
        // before the whole URI matched (these took seconds when every split was decoded; the
        // review that found it timed them, this test only proves the answers).
        let dots = format!("x://{}", ".".repeat(MAX_URI_BYTES - 10));
        assert_eq!(values("x://{a}.{b}.json", &dots), None);
        let long = format!("x://pets/{}", "a".repeat(MAX_URI_BYTES - 10));
        assert!(values("x://pets/{id}", &long).is_some());
        assert_eq!(
            values("x://pets/{id}", &format!("{long}aaaaaaaaaaaaaaaaa")),
            None
        );
    }

    #[test]
    fn refuses_what_it_cannot_match() {
        for (template, problem) in [
            ("pets/{id}", "URI scheme"),
            ("x://{a}{b}", "nothing between"),
            ("x://{a}/{a}", "twice"),
            ("x://{#a}", "operator"),
            ("x://{a*}", "modifier"),
            ("x://{a,b}", "several"),
            ("x://{?a}/b", "last"),
            ("x://{a", "not closed"),
            ("x://a}", "no `{`"),
            ("x://a b", "may not appear"),
            ("x://items?kind=book{?limit}", "literal `?`"),
            ("x://{a-b}", "variable name"),
        ] {
            let err = UriTemplate::parse(template).unwrap_err();
            assert!(err.contains(problem), "{template}: {err}");
        }
        let template = UriTemplate::parse("x://pets/{id}{?limit}").unwrap();
        assert_eq!(template.variables(), ["id", "limit"]);
        assert!(!template.is_fixed());
        assert!(UriTemplate::parse("test://static").unwrap().is_fixed());
    }
}
