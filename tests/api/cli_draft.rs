//! `gopy draft import` and `gopy search`, run as the binary.

use crate::cli::{add_admin, cli, with_units};
use crate::helpers::TestDb;

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn draft_import_dry_run_prints_the_outline() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = fixture_path("du-thao-quy-che-lay-y-kien.txt");
    let (ok, out, err) = cli(
        &db,
        dir.path(),
        &["draft", "import", &file, "--dry-run"],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("\n  Mục 1. CÔNG BỐ DỰ THẢO\n    Điều 4. Hình thức công bố\n")
            && out
                .contains("29 sections: 0 phần, 3 chương, 2 mục, 8 điều, 12 khoản, 3 điểm, 1 đoạn"),
        "{out}"
    );
}

/// A database with an admin in the secretariat and the sample draft imported by the CLI as
/// "Quy chế lấy ý kiến"; the CLI's first line of output ("document N").
fn imported() -> (TestDb, tempfile::TempDir, String) {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (unit, _) = with_units(&db, dir.path());
    add_admin(&db, dir.path(), unit);
    let file = fixture_path("du-thao-quy-che-lay-y-kien.txt");
    let args = [
        "draft",
        "import",
        &file,
        "--title",
        "Quy chế lấy ý kiến",
        "--as",
        "admin@so.gov.vn",
    ];
    let (ok, out, err) = cli(&db, dir.path(), &args, None);
    assert!(ok && out.starts_with("document "), "{out}{err}");
    (db, dir, out)
}

#[test]
fn a_draft_imported_by_the_cli_is_found_by_its_search_without_diacritics() {
    let (db, dir, _) = imported();
    let args = [
        "search",
        "kiem duyet y kien",
        "--kind",
        "section",
        "--as",
        "admin@so.gov.vn",
    ];
    let (ok, out, err) = cli(&db, dir.path(), &args, None);
    assert!(ok, "{err}");
    assert!(out.contains("Chương II › Mục 2 › Điều 6"), "{out}");
}

#[test]
fn the_cli_writes_the_word_report_of_a_draft() {
    let (db, dir, out) = imported();
    let id = out
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("document "))
        .expect("document id")
        .to_owned();
    let report = dir.path().join("bao-cao.docx");
    let path = report.display().to_string();
    let args = [
        "feedback",
        "report",
        "--document-id",
        &id,
        "--out",
        &path,
        "--as",
        "admin@so.gov.vn",
    ];
    let (ok, _, err) = cli(&db, dir.path(), &args, None);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&report).expect("the report");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document.xml"),
        &mut xml,
    )
    .expect("utf-8");
    assert!(
        xml.contains("Tổng hợp, tiếp thu, giải trình ý kiến góp ý dự thảo Quy chế lấy ý kiến"),
        "{xml}"
    );
}
