//! The lesson link a teacher shares: `#lesson=<id>` opens a lesson, `#lesson=<id>&embed` shows only
//! the lesson, the terminal and the diagram (for an iframe).

/// What the address's fragment asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonLink {
    /// As written in the link: [`valid_id`] says whether it can name a lesson file.
    pub id: String,
    pub embed: bool,
}

/// Reads `#lesson=ID` with optional `&embed`; None for any other fragment (a share link's `#s=`).
pub fn parse(hash: &str) -> Option<LessonLink> {
    let mut parts = hash.strip_prefix('#').unwrap_or(hash).split('&');
    let id = parts.next()?.strip_prefix("lesson=")?;
    let embed = parts.any(|p| p == "embed" || p == "embed=1" || p == "embed=true");
    Some(LessonLink { id: id.to_string(), embed })
}

/// The fragment that opens `id`.
pub fn fragment(id: &str, embed: bool) -> String {
    if embed { format!("#lesson={id}&embed") } else { format!("#lesson={id}") }
}

/// Whether `id` can name a file under `lessons/` (the lesson format's rule: lower-case letters,
/// digits and dashes), so that a link never fetches another path.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_links_and_others() {
        let link = |id: &str, embed| Some(LessonLink { id: id.into(), embed });
        let cases = [
            ("#lesson=deployment", link("deployment", false)),
            ("#lesson=tour&embed", link("tour", true)),
            ("lesson=tour&x=1&embed=1", link("tour", true)),
            ("#lesson=", link("", false)),
            ("#s=eyJ2", None),
            ("", None),
            ("#embed&lesson=tour", None),
        ];
        for (hash, want) in cases {
            assert_eq!(parse(hash), want, "{hash}");
        }
        assert_eq!(parse(&fragment("jobs", true)), link("jobs", true));
    }

    #[test]
    fn only_lesson_ids_may_be_fetched() {
        for ok in ["tour", "fix-image", "chapter03"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "../index", "Tour", "a/b", "x.md", "%2e%2e", &"a".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
