//! The links between the pages of a list: the same keyset cursors as the API's `next_cursor`,
//! so a page never reads more than one page of rows however long the list grows.

/// Query parameters that report what the last request did (a decision taken, say): a link to
/// another page of the list does not repeat them.
const TRANSIENT: &[&str] = &["decided"];

/// Where a list page stands: the link to the next page and, past the first, back to the first.
pub struct Paging {
    pub next: Option<String>,
    pub first: Option<String>,
}

impl Paging {
    /// For the list at `path`, asked with `query` (the request's query string, whose other
    /// parameters — filters, language — the links keep), paged by the parameter `name`;
    /// `next_cursor` is what the service answered for the page shown.
    pub fn new(path: &str, query: &str, name: &str, next_cursor: Option<&str>) -> Paging {
        let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k != name && !TRANSIENT.contains(&k.as_ref()))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let on_first = url::form_urlencoded::parse(query.as_bytes()).all(|(k, _)| k != name);
        let link = |cursor: Option<&str>| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &kept {
                q.append_pair(k, v);
            }
            if let Some(c) = cursor {
                q.append_pair(name, c);
            }
            match q.finish() {
                q if q.is_empty() => path.to_owned(),
                q => format!("{path}?{q}"),
            }
        };
        Paging {
            next: next_cursor.map(|c| link(Some(c))),
            first: (!on_first).then(|| link(None)),
        }
    }

    pub fn is_needed(&self) -> bool {
        self.next.is_some() || self.first.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[test]
    fn the_next_link_keeps_the_filters_and_drops_what_was_reported() {
        let p = Paging::new(
            "/moderation",
            "document_id=3&decided=9&lang=en",
            "cursor",
            Some("41"),
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/moderation?document_id=3&lang=en&cursor=41")
        );
        assert_eq!(p.first, None);
    }

    #[test]
    fn past_the_first_page_a_link_leads_back_to_it() {
        let p = Paging::new(
            "/admin/people",
            "q=nguy%E1%BB%85n&cursor=41",
            "cursor",
            None,
        );
        assert_eq!(p.next, None);
        assert_eq!(p.first.as_deref(), Some("/admin/people?q=nguy%E1%BB%85n"));
    }
}
