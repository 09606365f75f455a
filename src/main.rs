use std::io::BufRead;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use gopy::accounts::policy;
use gopy::accounts::service::users;
use gopy::accounts::types::{NewUser, Role, UserRecord};
use gopy::config::Settings;
use gopy::context::hasher::{hash_with, params};
use gopy::identity::{Lang, RequestMeta};
use gopy::startup::Application;
use gopy::units::types::NewUnit;

#[derive(Parser)]
#[command(
    name = "gopy",
    version,
    about = "Góp ý dự thảo — staff consultation on draft documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run first).
    Serve {
        /// Seed demo data (once) and print the demo accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Manage units.
    Unit {
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Measure gopy against the database's own speed (see README, Performance).
    Bench(gopy::bench::BenchArgs),
    /// Import drafts from files.
    Draft {
        #[command(subcommand)]
        command: gopy::cli::DraftCommand,
    },
    /// Search drafts, sections and comments as a person may (diacritics optional).
    Search(gopy::cli::Search),
    /// Onboard staff from a roster.
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: gopy::cli::AuditCommand,
    },
    /// Write a consistent copy of the embedded (SQLite) database to FILE while the service
    /// runs; on PostgreSQL, explain pg_dump and exit 2.
    Backup { file: std::path::PathBuf },
    /// Replace the embedded database with the backup FILE (refused while any gopy process has
    /// the database open); the database replaced is kept beside it.
    Restore { file: std::path::PathBuf },
    /// What the secretariat hands upward: the Word report.
    Feedback {
        #[command(subcommand)]
        command: gopy::cli::FeedbackCommand,
    },
}

#[derive(Subcommand)]
enum RosterCommand {
    /// Import a CSV roster (email,full_name,unit_path,roles): creates missing units, creates or
    /// updates people by email (new people get an activation mail), deletes nobody. All or nothing.
    Import {
        file: std::path::PathBuf,
        /// Check and report what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Add a unit; prints its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        parent_id: Option<i64>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; prints its id.
    Add(UserAdd),
}

#[derive(Args)]
struct UserAdd {
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Comma-separated: employee, moderator, secretariat, admin.
    #[arg(long, value_delimiter = ',', required = true)]
    role: Vec<String>,
    #[arg(long)]
    unit_id: Option<i64>,
    /// Read the password from the first line of standard input. Without it, an activation
    /// mail is queued so the person chooses their own.
    #[arg(long)]
    password_stdin: bool,
}

/// glibc gives every thread that allocates its own arena and keeps what they freed; with many
/// blocking threads each streaming export batches, that shows up as resident memory. Two
/// arenas keep the footprint flat at no measurable cost in throughput.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called first thing, before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let settings = Settings::load().context("loading configuration")?;
    gopy::telemetry::init(settings.log.format);
    match cli.command {
        Command::Serve { demo } => serve(settings, demo),
        Command::Migrate => {
            let mut conn = gopy::db::connect_one(&settings.database)?;
            let filled = gopy::search::service::backfill(&mut conn)
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            if filled > 0 {
                println!("search forms filled in for {filled} rows");
            }
            let chained = gopy::audit::chain::seal(&mut conn)?;
            if chained > 0 {
                println!("{chained} audit rows from before the chain chained");
            }
            println!("database is up to date");
            Ok(())
        }
        Command::Unit {
            command: UnitCommand::Add { name, parent_id },
        } => {
            let mut conn = gopy::db::connect_one(&settings.database)?;
            let unit = gopy::units::service::create(
                &mut conn,
                None,
                &cli_meta(),
                NewUnit { name, parent_id },
            )
            .map_err(|e| anyhow::anyhow!(e.describe()))?;
            println!("{}", unit.id);
            Ok(())
        }
        Command::User {
            command: UserCommand::Add(args),
        } => add_user(settings, args),
        Command::Roster {
            command: RosterCommand::Import { file, dry_run },
        } => import_roster(settings, &file, dry_run),
        Command::Bench(args) => gopy::bench::run(args),
        Command::Draft { command } => gopy::cli::draft(&settings, command),
        Command::Search(args) => gopy::cli::search(&settings, args),
        Command::Feedback { command } => gopy::cli::feedback(&settings, command),
        Command::Backup { file } => copy_outcome(
            "backup",
            gopy::backup::service::backup(&settings.database, &file),
        ),
        Command::Restore { file } => copy_outcome(
            "restored",
            gopy::backup::service::restore(&settings.database, &file),
        ),
        Command::Audit { command } => {
            if !gopy::cli::audit(&settings, command)? {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

/// Print what a backup or restore wrote, or why it did not, and exit accordingly.
fn copy_outcome(
    what: &str,
    outcome: Result<gopy::backup::service::Copy, gopy::backup::service::BackupError>,
) -> anyhow::Result<()> {
    match outcome {
        Ok(copy) => {
            println!(
                "{what}: {} ({} bytes, {} comments)",
                copy.path.display(),
                copy.bytes,
                copy.comments
            );
            if let Some(previous) = copy.previous {
                println!("the database it replaced: {}", previous.display());
            }
            Ok(())
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(e.exit_code());
        }
    }
}

fn import_roster(settings: Settings, file: &std::path::Path, dry_run: bool) -> anyhow::Result<()> {
    let data = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let mut conn = gopy::db::connect_one(&settings.database)?;
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let meta = cli_meta();
    let how = gopy::roster::service::Import {
        actor: None,
        meta: &meta,
        settings: &settings,
        dry_run,
    };
    let lines = data.iter().filter(|b| **b == b'\n').count();
    bar.set_length(lines as u64);
    let report = gopy::roster::service::import(&mut conn, &data, &how, &mut |n| {
        if n % 100 == 0 {
            bar.set_position(n as u64);
        }
    })
    .map_err(|e| anyhow::anyhow!(e.describe()))?;
    bar.finish_and_clear();
    println!(
        "{}{} rows: {} created, {} updated, {} unchanged; {} units created",
        if report.dry_run {
            "DRY RUN (nothing written) — "
        } else {
            ""
        },
        report.rows,
        report.created.len(),
        report.updated.len(),
        report.unchanged,
        report.units_created.len()
    );
    for (label, list) in [
        ("created", &report.created),
        ("updated", &report.updated),
        ("new unit", &report.units_created),
    ] {
        for item in list {
            println!("  {label}: {item}");
        }
    }
    Ok(())
}

fn cli_meta() -> RequestMeta {
    RequestMeta::local("gopy cli")
}

fn add_user(settings: Settings, args: UserAdd) -> anyhow::Result<()> {
    let roles = args
        .role
        .iter()
        .map(|r| {
            r.trim()
                .parse::<Role>()
                .with_context(|| format!("unknown role {r:?}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let new = NewUser {
        email: args.email,
        full_name: args.name,
        unit_id: args.unit_id,
        roles,
        password,
    }
    .normalize();
    validator::Validate::validate(&new).map_err(|e| anyhow::anyhow!("invalid input: {e}"))?;
    let hash = match &new.password {
        Some(p) => {
            policy::check(p, &[&new.email, &new.full_name], "password", Lang::En)
                .map_err(|e| anyhow::anyhow!(e.describe()))?;
            Some(hash_with(&params(&settings.auth)?, p)?)
        }
        None => None,
    };
    let mut conn = gopy::db::connect_one(&settings.database)?;
    let rec = UserRecord {
        email: new.email,
        full_name: new.full_name,
        unit_id: new.unit_id,
        roles: new.roles,
        password_hash: hash,
    };
    let id = users::create(&mut conn, None, &cli_meta(), &rec, &settings)
        .map_err(|e| anyhow::anyhow!(e.describe()))?;
    println!("{id}");
    Ok(())
}

#[actix_web::main]
async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    tracing::info!(?settings, "starting gopy");
    let app = Application::build(settings.clone()).await?;
    if demo {
        let pool = app.pool().clone();
        let s = settings.clone();
        let seeded = tokio::task::spawn_blocking(move || gopy::demo::seed(&pool, &s)).await??;
        println!(
            "\nDemo data {}. Sign in at http://{}:{}/docs with password {:?}:",
            if seeded { "created" } else { "already present" },
            settings.server.host,
            app.port(),
            gopy::demo::DEMO_PASSWORD
        );
        for (email, name, roles, _) in gopy::demo::ACCOUNTS {
            let roles: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            println!("  {email:<26} {name:<22} {}", roles.join(", "));
        }
        println!();
    }
    tracing::info!(port = app.port(), "listening");
    app.run_until_stopped().await?;
    Ok(())
}
