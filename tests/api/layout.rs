//! The shape of the code, checked: the layer rule, an acyclic module graph, and enum
//! spellings only where the enum declares them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> (PathBuf, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 50, "the scan found too few files");
    (root, files)
}

/// Code lines only: comments say what they like.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn services_and_stores_know_no_http() {
    let (root, files) = src();
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            let rel = f
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .into_owned();
            rel.contains("/service") || rel.contains("/store")
        })
        .filter(|f| {
            let text = code(&std::fs::read_to_string(f).expect("source"));
            text.contains("actix_web") || text.contains("crate::http")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "{offenders:?}");
}

#[test]
fn top_level_modules_form_no_cycle() {
    let (root, files) = src();
    let top = |f: &Path| -> String {
        let rel = f.strip_prefix(&root).expect("under src");
        let first = rel
            .components()
            .next()
            .expect("a component")
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        first.trim_end_matches(".rs").to_owned()
    };
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| top(f))
        .filter(|m| m != "main" && m != "lib")
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let from = top(f);
        if !modules.contains(&from) {
            continue;
        }
        let text = code(&std::fs::read_to_string(f).expect("source"));
        for (i, _) in text.match_indices("crate::") {
            let to: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if to != from && modules.contains(&to) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    fn reaches(
        edges: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        to: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        from == to
            || edges.get(from).is_some_and(|next| {
                next.iter()
                    .any(|n| seen.insert(n.clone()) && reaches(edges, n, to, seen))
            })
    }
    let cycles: Vec<String> = edges
        .iter()
        .flat_map(|(a, bs)| bs.iter().map(move |b| (a, b)))
        .filter(|(a, b)| reaches(&edges, b, a, &mut BTreeSet::new()))
        .map(|(a, b)| format!("{a} → {b}"))
        .collect();
    assert!(cycles.is_empty(), "edges on a cycle: {cycles:?}");
}

#[test]
fn enum_spellings_are_written_only_where_their_enum_declares_them() {
    use gopy::audit::AuditAction;
    use gopy::comments::types::{Action, CommentStatus};
    use gopy::drafts::types::DocumentStatus;
    use gopy::error::ErrorCode;
    use gopy::identity::Role;
    use gopy::mail::types::OutboxStatus;
    let mut spellings: Vec<&str> = Vec::new();
    spellings.extend(AuditAction::ALL.iter().map(|a| a.as_str()));
    spellings.extend(ErrorCode::ALL.iter().map(|c| c.as_str()));
    spellings.extend(Role::ALL.iter().map(|r| r.as_str()));
    spellings.extend(CommentStatus::ALL.iter().map(|s| s.as_str()));
    spellings.extend(DocumentStatus::ALL.iter().map(|s| s.as_str()));
    spellings.extend(OutboxStatus::ALL.iter().map(|s| s.as_str()));
    spellings.extend(Action::ALL.iter().map(|a| a.as_str()));
    let (_, files) = src();
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("source");
        for (n, line) in text.lines().enumerate() {
            let l = line.trim_start();
            // A declaration `Variant = "spelling",` inside text_enum!, or a comment.
            if l.starts_with("//") || (l.contains(" = \"") && l.ends_with("\",")) {
                continue;
            }
            for s in &spellings {
                if line.contains(&format!("\"{s}\"")) {
                    found.push(format!("{}:{}: {s}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
