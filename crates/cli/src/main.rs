//! `accord`: the server, the demo, migrations, users and tokens, and the audit-trail checks.
#![forbid(unsafe_code)]

mod demo;
mod keyfile;

use accord_app::{App, Config, SystemClock};
use accord_store::Store;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// jemalloc rather than the C library's allocator: the 100,000-object ReqIF import took 16 %
/// less time with it, for 4 % more peak memory (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "accord",
    version,
    about = "Accord: the customer and its technology partner, run together"
)]
struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "ACCORD_DATABASE_URL",
        default_value = "sqlite://accord.db"
    )]
    database: String,
    /// The secret that keys the audit chain, kept outside the database. Created (mode 0600) on
    /// first use of an empty database.
    #[arg(
        long,
        global = true,
        env = "ACCORD_AUDIT_KEY_FILE",
        default_value = "accord.key"
    )]
    audit_key_file: PathBuf,
    #[command(flatten)]
    web: WebArgs,
    #[command(subcommand)]
    command: Command,
}

/// Settings of the web server (`serve` and `demo`).
#[derive(clap::Args)]
struct WebArgs {
    /// Send cookies without `Secure` and without the `__Host-` prefix. Only for plain HTTP on a
    /// host other than this machine (browsers accept Secure cookies from http://127.0.0.1 and
    /// http://localhost); put TLS in front of Accord instead wherever you can.
    #[arg(long, global = true, env = "ACCORD_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Sign-in requests allowed per minute, per client address and per account.
    #[arg(
        long,
        global = true,
        env = "ACCORD_RATE_LOGIN_PER_MINUTE",
        default_value_t = 30
    )]
    rate_login_per_minute: u32,
    /// Signing requests allowed per minute, per client address and per account.
    #[arg(
        long,
        global = true,
        env = "ACCORD_RATE_SIGN_PER_MINUTE",
        default_value_t = 30
    )]
    rate_sign_per_minute: u32,
    /// The largest ReqIF file an upload may send, in bytes (413 beyond it).
    #[arg(
        long,
        global = true,
        env = "ACCORD_MAX_IMPORT_BYTES",
        default_value_t = 512 << 20
    )]
    max_import_bytes: usize,
}

impl WebArgs {
    fn config(&self) -> accord_web::WebConfig {
        accord_web::WebConfig {
            secure_cookies: !self.insecure_cookies,
            rate_limits: accord_web::ratelimit::RateLimits {
                login_per_minute: self.rate_login_per_minute,
                sign_per_minute: self.rate_sign_per_minute,
            },
            max_import_bytes: self.max_import_bytes,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Migrate if needed, then serve the web application and the API.
    Serve {
        #[arg(long, env = "ACCORD_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
    },
    /// Create the demo partnership world, print the URL and logins, then serve.
    Demo {
        #[arg(long, env = "ACCORD_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed the data and exit without serving.
        #[arg(long)]
        seed_only: bool,
        /// Print the URL and logins as JSON.
        #[arg(long)]
        json: bool,
        /// Also create the engagement NWB-SCALE with this many generated requirements (each with
        /// three versions and two clarifications): the data set of the requirement benchmarks.
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
    },
    /// Apply database migrations.
    Migrate,
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Bring requirements in from another tool.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Read a ReqIF file without importing it: what it holds and what an import would warn about.
    #[command(subcommand)]
    Reqif(ReqifCommand),
    /// Write requirements out for another tool.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a .reqif or .reqifz into an engagement: one transaction, audited per record.
    Reqif {
        file: PathBuf,
        /// The engagement's key, such as NWB-LIMS.
        #[arg(long)]
        engagement: String,
        /// Who imports (their e-mail): the audit trail names them.
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: String,
        /// The functional area of the new requirements (default: the engagement's only area).
        #[arg(long)]
        area: Option<String>,
        /// Attribute LONG-NAMEs for the title, comma-separated, first found wins.
        #[arg(long, default_value = "ReqIF.Name,ReqIF.ChapterName")]
        title_from: String,
        /// Attribute LONG-NAMEs for the statement.
        #[arg(long, default_value = "ReqIF.Text,ReqIF.Description")]
        statement_from: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ReqifCommand {
    /// Read a .reqif or .reqifz and print its counts and warnings; exit 1 if it cannot be read.
    Check {
        file: PathBuf,
        /// Print the warnings too (their count is always printed).
        #[arg(long)]
        warnings: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write an imported ReqIF document back (.reqifz when it has attachments); an engagement
    /// without one gets its requirements and trace links as a new document.
    Reqif {
        #[arg(long)]
        engagement: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Who exports (their e-mail).
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: String,
        /// The imported document (default: the latest).
        #[arg(long)]
        document: Option<uuid::Uuid>,
    },
    /// Write the engagement's requirements specification as one printable HTML file.
    Specification {
        #[arg(long)]
        engagement: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Who exports (their e-mail).
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: String,
        /// The document's language: en or zh-CN.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Write the engagement's traceability matrix: CSV when the output ends in .csv, HTML
    /// otherwise.
    Traceability {
        #[arg(long)]
        engagement: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Who exports (their e-mail).
        #[arg(long = "as", value_name = "EMAIL")]
        as_user: String,
        /// The document's language: en or zh-CN.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// customer or partner
        #[arg(long)]
        kind: String,
    },
    /// List organisations.
    List,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add(UserAdd),
}

#[derive(Args)]
struct UserAdd {
    /// The organisation's slug.
    #[arg(long)]
    organisation: String,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Make the user an admin of their organisation.
    #[arg(long)]
    admin: bool,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new API token for a user.
    Create {
        #[arg(long)]
        email: String,
        /// Check the user's password, read from standard input, first.
        #[arg(long)]
        password_stdin: bool,
        /// Days until the token expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every audit chain; exit 1 naming the first broken event.
    Verify {
        /// Also check against a checkpoint exported earlier.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the signed heads of every chain, to keep outside the database.
    Checkpoint {
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ACCORD_LOG")
                .unwrap_or_else(|_| "warn,accord=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens (creating if missing) and migrates the database, and checks the audit key signs it.
async fn open(cli: &Cli) -> Result<App> {
    let store = Store::connect(&cli.database)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.migrate().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = keyfile::load_or_create(&cli.audit_key_file, &store).await?;
    keyfile::check_signs(&cli.audit_key_file, &key, &store).await?;
    Ok(App::new(
        store,
        key,
        Arc::new(SystemClock),
        Config::default(),
    ))
}

/// Opens an existing database as it is, for the audit checks: no file is created and nothing
/// is migrated, so a mistyped path or a backup copy is never written to.
async fn open_for_audit(cli: &Cli) -> Result<App> {
    let store = Store::connect_existing(&cli.database)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let key = keyfile::read(&cli.audit_key_file)?;
    Ok(App::new(
        store,
        key,
        Arc::new(SystemClock),
        Config::default(),
    ))
}

fn read_stdin_password() -> Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read the password from standard input")?;
    let pw = s
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&s)
        .to_string();
    if pw.is_empty() {
        bail!("no password on standard input");
    }
    Ok(pw)
}

fn app_err(e: accord_app::Error) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Migrate => {
            let store = Store::connect(&cli.database)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.migrate().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("migrated {}", store.url());
        }
        Command::Serve { bind } => {
            let app = open(&cli).await?;
            serve(app, cli.web.config(), bind, None).await?;
        }
        Command::Demo {
            bind,
            seed_only,
            json,
            scale,
        } => {
            let app = open(&cli).await?;
            let logins = demo::seed(&app).await.map_err(app_err)?;
            if let Some(n) = scale {
                if demo::scale(&app, *n).await.map_err(app_err)? {
                    eprintln!("{} holds {n} generated requirements", demo::SCALE_KEY);
                } else {
                    eprintln!("{} exists already; nothing added", demo::SCALE_KEY);
                }
            }
            if *seed_only {
                demo::print(&logins, &format!("http://{bind}"), *json);
            } else {
                serve(app, cli.web.config(), bind, Some((logins, *json))).await?;
            }
        }
        Command::Org(OrgCommand::Add { slug, name, kind }) => {
            let app = open(&cli).await?;
            let o = app
                .create_organisation(accord_app::org::NewOrganisation {
                    slug: slug.clone(),
                    name: name.clone(),
                    kind: kind.clone(),
                })
                .await
                .map_err(app_err)?;
            println!("{} {} ({})", o.id, o.slug, o.kind);
        }
        Command::Org(OrgCommand::List) => {
            let app = open(&cli).await?;
            let mut tx = app
                .store()
                .read()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for o in accord_store::org::list_all(&mut tx)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!("{}\t{}\t{}\t{}", o.id, o.slug, o.kind, o.name);
            }
        }
        Command::User(UserCommand::Add(u)) => {
            let password = read_stdin_password()?;
            let app = open(&cli).await?;
            let v = app
                .create_user(accord_app::org::NewUser {
                    organisation_slug: u.organisation.clone(),
                    email: u.email.clone(),
                    name: u.name.clone(),
                    password,
                    is_org_admin: u.admin,
                })
                .await
                .map_err(app_err)?;
            println!("{} {} ({})", v.id, v.email, v.organisation.slug);
        }
        Command::Token(TokenCommand::Create {
            email,
            password_stdin,
            days,
        }) => {
            let password = if *password_stdin {
                Some(read_stdin_password()?)
            } else {
                None
            };
            if !(1..=3650).contains(days) {
                bail!("--days must be between 1 and 3650");
            }
            let app = open(&cli).await?;
            let (token, expires) = app
                .create_api_token(email, time::Duration::days(*days), password.as_deref())
                .await
                .map_err(app_err)?;
            println!("{token}");
            eprintln!(
                "expires {}",
                expires.format(&time::format_description::well_known::Rfc3339)?
            );
        }
        Command::Audit(AuditCommand::Verify { checkpoint, json }) => {
            let app = open_for_audit(&cli).await?;
            let cp = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    Some(
                        serde_json::from_str::<accord_domain::audit::Checkpoint>(&text)
                            .with_context(|| {
                                format!("{} is not an Accord checkpoint", path.display())
                            })?,
                    )
                }
                None => None,
            };
            let started = std::time::Instant::now();
            let report = app
                .verify_chains(None, cp.as_ref())
                .await
                .map_err(app_err)?;
            let secs = started.elapsed().as_secs_f64();
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if let Some(b) = &report.first_broken {
                println!(
                    "audit trail BROKEN in chain {} at event {}: {}",
                    b.chain_id, b.seq, b.message
                );
                println!(
                    "{} events in {} chains checked before the break",
                    report.events_checked, report.chains_checked
                );
            } else {
                println!(
                    "audit trail intact: {} events in {} chains verified in {:.3} s{}",
                    report.events_checked,
                    report.chains_checked,
                    secs,
                    if cp.is_some() {
                        ", consistent with the checkpoint"
                    } else {
                        ""
                    }
                );
            }
            return Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::Import(ImportCommand::Reqif {
            file,
            engagement,
            as_user,
            area,
            title_from,
            statement_from,
            json,
        }) => {
            let bytes = accord_interchange::file::read(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let app = open(&cli).await?;
            let actor = app.operator_actor(as_user).await.map_err(app_err)?;
            let eid = app
                .engagement_id_by_key(engagement)
                .await
                .map_err(app_err)?;
            let area = match area {
                Some(a) => a.clone(),
                None => {
                    let areas = app.functional_areas(&actor, eid).await.map_err(app_err)?;
                    match areas.as_slice() {
                        [one] => one.clone(),
                        [] => bail!("{engagement} has no functional area yet: assign a functional area manager first"),
                        many => bail!("{engagement} has several functional areas; choose one with --area: {}", many.join(", ")),
                    }
                }
            };
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "import.reqif".into());
            let mut opts = accord_app::reqif::ImportOptions::new(&name, &area);
            let split = |s: &str| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
            };
            opts.title_from = split(title_from);
            opts.statement_from = split(statement_from);
            let bar = progress_bar();
            let started = std::time::Instant::now();
            let report = app
                .import_reqif(&actor, eid, bytes, &opts, |done, total| {
                    if let Some(b) = &bar {
                        b.set_length(total as u64);
                        b.set_position(done as u64);
                    }
                })
                .await
                .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e))?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{}: {} spec objects: {} requirements ({}..{}), {} section headings, {} trace links from {} relations, {} attachments, in {:.2} s",
                    file.display(),
                    report.spec_objects,
                    report.requirements_created,
                    report.first_key.as_deref().unwrap_or("-"),
                    report.last_key.as_deref().unwrap_or("-"),
                    report.sections,
                    report.links_created,
                    report.relations,
                    report.attachments,
                    started.elapsed().as_secs_f64()
                );
                for w in &report.warnings {
                    let mut at = if w.document.is_empty() {
                        String::new()
                    } else {
                        format!("{} ", w.document)
                    };
                    // Line 0: a warning about the whole document or the import's options.
                    if w.line > 0 {
                        at.push_str(&format!("line {}, column {}: ", w.line, w.column));
                    }
                    eprintln!("warning: {at}{}: {}", w.element, w.message);
                }
            }
        }
        Command::Reqif(ReqifCommand::Check { file, warnings }) => {
            use accord_interchange::reqif;
            let started = std::time::Instant::now();
            let bytes = accord_interchange::file::read(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let docs = if reqif::zip::is_zip(&bytes) {
                reqif::zip::unpack(&bytes, 2 << 30)
                    .with_context(|| format!("{}", file.display()))?
                    .documents
            } else {
                vec![(String::new(), bytes)]
            };
            for (i, (member, data)) in docs.iter().enumerate() {
                let r =
                    reqif::read(data).with_context(|| format!("{} {member}", file.display()))?;
                let m = &r.reqif;
                println!(
                    "{}{}: {} spec objects, {} relations, {} specifications, {} datatypes, {} warnings",
                    file.display(),
                    if member.is_empty() { String::new() } else { format!(" › {member}") },
                    m.spec_objects.len(),
                    m.spec_relations.len(),
                    m.specifications.len(),
                    m.datatypes.len(),
                    r.warnings.len()
                );
                if *warnings {
                    for w in &r.warnings {
                        println!("  {w}");
                    }
                }
                // After the last document the process ends: freeing a large model's many
                // small strings one by one only delays the exit (15 to 20 ms of the 21 MB
                // file's 85 ms; docs/benchmarks.md), and the system takes the memory back at
                // once. Earlier documents of an archive are freed as before.
                if i + 1 == docs.len() {
                    std::mem::forget(r);
                }
            }
            eprintln!("read in {:.3} s", started.elapsed().as_secs_f64());
        }
        Command::Export(ExportCommand::Reqif {
            engagement,
            output,
            as_user,
            document,
        }) => {
            let app = open(&cli).await?;
            let actor = app.operator_actor(as_user).await.map_err(app_err)?;
            let eid = app
                .engagement_id_by_key(engagement)
                .await
                .map_err(app_err)?;
            let id = match document {
                Some(d) => Some(*d),
                None => app
                    .reqif_documents(&actor, eid)
                    .await
                    .map_err(app_err)?
                    .last()
                    .map(|d| d.id),
            };
            // Without an imported document: the engagement's requirements as a new one.
            let (doc, attachments) = match id {
                Some(id) => app.export_reqif(&actor, eid, id).await.map_err(app_err)?,
                None => (
                    app.engagement_reqif(&actor, eid).await.map_err(app_err)?,
                    Vec::new(),
                ),
            };
            let xml = accord_interchange::reqif::write(&doc);
            let bytes = if attachments.is_empty() {
                xml.into_bytes()
            } else {
                accord_interchange::reqif::zip::pack("export.reqif", xml.as_bytes(), &attachments)?
            };
            std::fs::write(output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "{} spec objects written to {} ({} bytes{})",
                doc.spec_objects.len(),
                output.display(),
                bytes.len(),
                if attachments.is_empty() {
                    String::new()
                } else {
                    format!(", {} attachments", attachments.len())
                }
            );
        }
        Command::Export(
            which @ (ExportCommand::Specification {
                engagement,
                output,
                as_user,
                lang,
            }
            | ExportCommand::Traceability {
                engagement,
                output,
                as_user,
                lang,
            }),
        ) => {
            use accord_web::i18n::{Lang, Tr};
            use accord_web::ui::documents;
            let Some(lang) = Lang::parse(lang) else {
                bail!("--lang {lang}: the languages are en and zh-CN");
            };
            let app = open(&cli).await?;
            let actor = app.operator_actor(as_user).await.map_err(app_err)?;
            let eid = app
                .engagement_id_by_key(engagement)
                .await
                .map_err(app_err)?;
            let started = std::time::Instant::now();
            // The matrix goes out as CSV when asked for; the specification is HTML only.
            let csv = matches!(which, ExportCommand::Traceability { .. })
                && output
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let (bytes, count) = if csv {
                let (_, bytes) = app.traceability_csv(&actor, eid).await.map_err(app_err)?;
                (bytes, None)
            } else {
                let spec = app.specification(&actor, eid).await.map_err(app_err)?;
                let html = match which {
                    ExportCommand::Specification { .. } => {
                        documents::specification_file(Tr::new(lang), &spec)
                    }
                    _ => documents::traceability_file(Tr::new(lang), &spec),
                }?;
                (html.into_bytes(), Some(spec.requirement_count))
            };
            std::fs::write(output, &bytes)
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "{}{} bytes written to {} in {:.2} s",
                count
                    .map(|n| format!("{n} requirements, "))
                    .unwrap_or_default(),
                bytes.len(),
                output.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Audit(AuditCommand::Checkpoint { output }) => {
            let app = open_for_audit(&cli).await?;
            let cp = app.checkpoint().await.map_err(app_err)?;
            let text = serde_json::to_string_pretty(&cp)?;
            std::fs::write(output, text + "\n")
                .with_context(|| format!("cannot write {}", output.display()))?;
            println!(
                "checkpoint of {} chains written to {}",
                cp.heads.len(),
                output.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(
    app: App,
    web: accord_web::WebConfig,
    bind: &str,
    demo: Option<(Vec<demo::Login>, bool)>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    match &demo {
        Some((logins, json)) => demo::print(logins, &url, *json),
        None => println!("Accord listening on {url} (database {})", app.store().url()),
    }
    let store = app.store().clone();
    let router = accord_web::router(accord_web::AppState::new(app, web));
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the server stopped")?;
    store.close().await;
    Ok(())
}

/// Ctrl-C or SIGTERM (systemd, container runtimes): stop accepting, finish requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A progress bar on standard error when it is a terminal.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} spec objects ({eta} left)")
    {
        b.set_style(style);
    }
    Some(b)
}
