//! CLI commands that act as a person (`--as EMAIL`): importing a draft, searching. They call
//! the same service functions as the HTTP API, with that person's roles.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::db::DbConn;
use crate::drafts::import::{self, Format, Outline};
use crate::drafts::types::NewDocument;
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};
use crate::search::types::{HitKind, SearchQuery};

fn fail(e: AppError) -> anyhow::Error {
    anyhow!(e.describe())
}

fn meta() -> RequestMeta {
    RequestMeta::local("gopy cli")
}

/// The active account with this email, acting with its roles.
fn actor(conn: &mut DbConn, email: &str) -> anyhow::Result<Actor> {
    let id = crate::accounts::store::users::active_id(conn, email)?
        .ok_or_else(|| anyhow!("no active account {email}"))?;
    crate::accounts::service::users::actor(conn, id).map_err(fail)
}

#[derive(Subcommand)]
pub enum DraftCommand {
    /// Read a draft's sections from a .txt, .md or .docx file and print them as an outline:
    /// into a document (--document-id), into a new one (--title), or only shown (--dry-run).
    Import(DraftImport),
}

#[derive(Args)]
pub struct DraftImport {
    file: PathBuf,
    /// Import into this document (a draft, or the next version of a published one).
    #[arg(long, conflicts_with = "title")]
    document_id: Option<i64>,
    /// Create a draft with this title and import into it.
    #[arg(long)]
    title: Option<String>,
    /// The new draft's code (with --title).
    #[arg(long, requires = "title")]
    code: Option<String>,
    /// Only read the file and show what was found.
    #[arg(long)]
    dry_run: bool,
    /// The secretariat account acting (needed unless only --dry-run without a document).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: Option<String>,
}

fn print(outline: &Outline) {
    print!("{}", outline.render());
    let k = &outline.stats.by_kind;
    println!(
        "{} sections: {} phần, {} chương, {} mục, {} điều, {} khoản, {} điểm, {} đoạn",
        outline.stats.sections, k.phan, k.chuong, k.muc, k.dieu, k.khoan, k.diem, k.paragraph
    );
    for w in &outline.warnings {
        eprintln!("line {}: {}", w.line, w.message);
    }
}

pub fn draft(settings: &Settings, command: DraftCommand) -> anyhow::Result<()> {
    let DraftCommand::Import(args) = command;
    let name = args.file.display().to_string();
    let format = Format::from_file_name(&name).map_err(fail)?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {name}"))?;
    if bytes.len() > settings.drafts.max_import_bytes {
        return Err(anyhow!(
            "{name} is larger than drafts.max_import_bytes ({} bytes)",
            settings.drafts.max_import_bytes
        ));
    }
    if args.dry_run && args.document_id.is_none() {
        print(&import::parse(&bytes, format).map_err(fail)?);
        return Ok(());
    }
    let email = args
        .as_email
        .ok_or_else(|| anyhow!("--as EMAIL (a secretariat account) is needed to store a draft"))?;
    let mut conn = crate::db::connect_one(&settings.database)?;
    let actor = actor(&mut conn, &email)?;
    if !actor.sees_drafts() {
        return Err(anyhow!("{email} is not in the secretariat"));
    }
    let id = match (args.document_id, args.title) {
        (Some(id), _) => id,
        (None, Some(title)) => {
            let new = NewDocument {
                title,
                code: args.code,
                summary: None,
                opens_at: None,
                closes_at: None,
            };
            let doc =
                crate::drafts::service::create(&mut conn, &actor, &meta(), new).map_err(fail)?;
            println!("document {}", doc.id);
            doc.id
        }
        (None, None) => return Err(anyhow!("give --document-id or --title")),
    };
    let outline = crate::drafts::service::import(
        &mut conn,
        &actor,
        &meta(),
        id,
        &bytes,
        format,
        args.dry_run,
    )
    .map_err(fail)?;
    print(&outline);
    Ok(())
}

#[derive(Args)]
pub struct Search {
    /// Words to find, with or without diacritics.
    q: String,
    #[arg(long)]
    document_id: Option<i64>,
    /// document, section or comment.
    #[arg(long)]
    kind: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: i64,
    /// Search as this person (what they may see).
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
}

pub fn search(settings: &Settings, args: Search) -> anyhow::Result<()> {
    let mut conn = crate::db::connect_one(&settings.database)?;
    let actor = actor(&mut conn, &args.as_email)?;
    let kind = args
        .kind
        .map(|k| HitKind::try_from(k).map_err(|_| anyhow!("--kind: document, section or comment")))
        .transpose()?;
    let query = SearchQuery {
        q: args.q,
        document_id: args.document_id,
        kind,
        from: None,
        to: None,
        cursor: None,
        limit: Some(args.limit),
    };
    let page = crate::search::service::search(&mut conn, &actor, query).map_err(fail)?;
    for hit in page.items {
        println!(
            "{} {} (document {}) {} — {}",
            hit.kind, hit.id, hit.document_id, hit.title_or_path, hit.snippet
        );
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the audit log's hash chain; exit code 0 only when every row fits it.
    Verify,
}

/// Run an audit command; false when the log is not intact.
pub fn audit(settings: &Settings, command: AuditCommand) -> anyhow::Result<bool> {
    let mut conn = crate::db::connect_one(&settings.database)?;
    match command {
        AuditCommand::Verify => {
            let v = crate::audit::chain::verify(&mut conn)?;
            match &v.first_problem {
                None => println!(
                    "audit log intact: {} rows, last hash {}",
                    v.checked, v.last_hash
                ),
                Some(p) => println!(
                    "audit log NOT intact: row {} {} ({} rows before it check out)",
                    p.id,
                    match p.fault {
                        crate::audit::chain::Fault::Altered => "was altered",
                        crate::audit::chain::Fault::Inserted => "was inserted out of order",
                        crate::audit::chain::Fault::BrokenLink =>
                            "does not follow the row before it (a row was deleted or moved)",
                        crate::audit::chain::Fault::Unsealed => "is not in the chain",
                    },
                    v.checked
                ),
            }
            Ok(v.intact)
        }
    }
}

#[derive(Subcommand)]
pub enum FeedbackCommand {
    /// Write the Word report "tổng hợp, tiếp thu, giải trình" of a draft (or of one round).
    Report(FeedbackReport),
    /// Print the bundle of a draft's approved feedback (with a SHA-256 manifest) to send to
    /// the level above: `gopy feedback export … > unit.gopy.json`.
    Export(FeedbackExport),
    /// Land a bundle from the level below in a draft, as contributions from that body.
    Import(FeedbackImport),
}

#[derive(Args)]
pub struct FeedbackExport {
    #[arg(long)]
    document_id: i64,
    /// One round (its number); without it, the whole consultation.
    #[arg(long)]
    round: Option<i32>,
    /// The secretariat account acting.
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
}

#[derive(Args)]
pub struct FeedbackImport {
    /// The bundle (`*.gopy.json`).
    file: PathBuf,
    #[arg(long)]
    document_id: i64,
    /// The body that sent it, as the report names it ("Sở Nội vụ tỉnh …").
    #[arg(long)]
    from_unit: String,
    /// The secretariat account acting.
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
}

/// The account `email`, if it is in the secretariat.
fn secretariat(conn: &mut DbConn, email: &str) -> anyhow::Result<Actor> {
    let actor = actor(conn, email)?;
    if !actor.has(crate::accounts::types::Role::Secretariat) {
        return Err(anyhow!("{email} is not in the secretariat"));
    }
    Ok(actor)
}

#[derive(Args)]
pub struct FeedbackReport {
    #[arg(long)]
    document_id: i64,
    /// One round (its number); without it, the whole consultation.
    #[arg(long)]
    round: Option<i32>,
    /// Where to write the .docx.
    #[arg(long)]
    out: PathBuf,
    /// The secretariat account acting.
    #[arg(long = "as", value_name = "EMAIL")]
    as_email: String,
}

pub fn feedback(settings: &Settings, command: FeedbackCommand) -> anyhow::Result<()> {
    let mut conn = crate::db::connect_one(&settings.database)?;
    match command {
        FeedbackCommand::Report(args) => {
            let actor = secretariat(&mut conn, &args.as_email)?;
            let scope = crate::feedback::report::Scope {
                document_id: args.document_id,
                round: args.round,
                organisation: settings.ui.organisation.clone(),
                offset: settings.display.offset(),
            };
            let (_, bytes) =
                crate::feedback::report::build(&mut conn, &actor, scope).map_err(fail)?;
            std::fs::write(&args.out, &bytes)
                .with_context(|| format!("writing {}", args.out.display()))?;
            println!("{} ({} bytes)", args.out.display(), bytes.len());
        }
        FeedbackCommand::Export(args) => {
            let actor = secretariat(&mut conn, &args.as_email)?;
            let bundle = crate::rollup::service::export(
                &mut conn,
                &actor,
                args.document_id,
                args.round,
                &settings.ui.organisation,
            )
            .map_err(fail)?;
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &bundle)?;
            std::io::Write::write_all(&mut out, b"\n")?;
        }
        FeedbackCommand::Import(args) => {
            let actor = secretariat(&mut conn, &args.as_email)?;
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("reading {}", args.file.display()))?;
            let bundle = crate::rollup::bundle::parse(&bytes).map_err(fail)?;
            let landing = crate::rollup::service::import(
                &mut conn,
                &actor,
                &meta(),
                args.document_id,
                &args.from_unit,
                bundle,
            )
            .map_err(fail)?;
            match landing.repeated {
                true => println!(
                    "Gói này đã được nhập trước đây (import {}): không có gì thay đổi.",
                    landing.import_id
                ),
                false => println!(
                    "Đã nhập {} ý kiến ({} ý kiến đã có từ trước), import {}.",
                    landing.landed, landing.already_there, landing.import_id
                ),
            }
        }
    }
    Ok(())
}
