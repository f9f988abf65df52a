//! The `accord` binary end to end: migrations, the demo, users and tokens, serving, and the
//! audit-trail checks with their exit codes. Storage-facing tests run on both backends.

use accord_test_support::{backend_tests, TempDir};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

fn accord(db: &str, key: &std::path::Path, args: &[&str]) -> Output {
    accord_stdin(db, key, args, None)
}

fn accord_stdin(db: &str, key: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
    cmd.arg("--database")
        .arg(db)
        .arg("--audit-key-file")
        .arg(key)
        .args(args);
    cmd.env_remove("ACCORD_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn accord");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a fresh connection, the way any script would send it.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn http(addr: &str, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let r = request(addr, method, path, token, &[], None);
    (r.status, r.body)
}

/// Starts `accord serve` on a free port and returns it with its address.
fn serve(db: &str, key: &std::path::Path) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_accord"))
        .arg("--database")
        .arg(db)
        .arg("--audit-key-file")
        .arg(key)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = accord_test_support::listening_addr(&mut server);
    (server, addr)
}

#[test]
fn an_unreachable_database_is_one_line_naming_the_url_without_its_password() {
    let dir = TempDir::new();
    let key = dir.0.join("k");
    let out = accord(
        "postgres://alice:s3cret@127.0.0.1:1/accord",
        &key,
        &["migrate"],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("postgres://alice:***@127.0.0.1:1/accord"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "the password leaked: {err}");

    let out = accord(
        "sqlite:///nonexistent-dir/deeper/accord.db",
        &key,
        &["migrate"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("sqlite:///nonexistent-dir/deeper/accord.db"),
        "{}",
        stderr(&out)
    );
    // The audit checks never create a database: a mistyped path is an error, not "0 events".
    let missing = dir.0.join("typo.db");
    std::fs::write(&key, "22".repeat(32)).unwrap();
    let out = accord(
        &format!("sqlite://{}", missing.display()),
        &key,
        &["audit", "verify"],
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(!missing.exists(), "verify created a database");
    let out = accord("mysql://localhost/x", &key, &["migrate"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("sqlite:// or postgres://"),
        "{}",
        stderr(&out)
    );
}

/// A ReqIF document of `n` requirements (name and text), the first relating to the second.
fn generated_reqif(n: usize) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="gen"><TITLE>Generated</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT><DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="1000"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="n" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="x" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE><SPEC-RELATION-TYPE IDENTIFIER="rt" LONG-NAME="Depends on"/></SPEC-TYPES><SPEC-OBJECTS>"#,
    );
    for i in 0..n {
        x.push_str(&format!(
            r#"<SPEC-OBJECT IDENTIFIER="o{i}"><VALUES><ATTRIBUTE-VALUE-STRING THE-VALUE="Generated requirement {i}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING><ATTRIBUTE-VALUE-STRING THE-VALUE="The system shall do thing {i} &amp; record it."><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>x</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING></VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>"#
        ));
    }
    x.push_str(r#"</SPEC-OBJECTS><SPEC-RELATIONS><SPEC-RELATION IDENTIFIER="r0"><TYPE><SPEC-RELATION-TYPE-REF>rt</SPEC-RELATION-TYPE-REF></TYPE><SOURCE><SPEC-OBJECT-REF>o0</SPEC-OBJECT-REF></SOURCE><TARGET><SPEC-OBJECT-REF>o1</SPEC-OBJECT-REF></TARGET></SPEC-RELATION></SPEC-RELATIONS>"#);
    x.push_str("</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>");
    x
}

/// `accord reqif check` reports each document it reads: a file, and every document of an
/// archive in order; a broken document fails naming the file and the place.
#[test]
fn reqif_check_reports_every_document_of_a_file_or_an_archive() {
    let dir = TempDir::new();
    let check = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["reqif", "check"])
            .arg(path)
            .output()
            .unwrap()
    };
    let single = dir.0.join("one.reqif");
    std::fs::write(&single, generated_reqif(3)).unwrap();
    let out = check(&single);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "{}: 3 spec objects, 1 relations, 0 specifications, 1 datatypes, 0 warnings",
            single.display()
        )
    );
    let archive = dir.0.join("two.reqifz");
    let packed = accord_interchange::reqif::zip::pack(
        "first.reqif",
        generated_reqif(2).as_bytes(),
        &[("second.reqif".to_string(), generated_reqif(5).into_bytes())],
    )
    .unwrap();
    std::fs::write(&archive, packed).unwrap();
    let out = check(&archive);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].ends_with(
            "› first.reqif: 2 spec objects, 1 relations, 0 specifications, 1 datatypes, 0 warnings"
        ),
        "{lines:?}"
    );
    assert!(lines[1].ends_with("› second.reqif: 5 spec objects, 1 relations, 0 specifications, 1 datatypes, 0 warnings"), "{lines:?}");
    let broken = dir.0.join("broken.reqif");
    let text = generated_reqif(3);
    std::fs::write(&broken, &text[..text.len() / 2]).unwrap();
    let out = check(&broken);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("broken.reqif"), "{}", stderr(&out));
}

/// The requirements of a demo engagement, by key.
async fn requirement_count(db: &accord_test_support::TestDb, key: &str) -> usize {
    let mut tx = db.store.read().await.unwrap();
    let e = accord_store::engagement::list_all(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.key == key)
        .unwrap();
    accord_store::requirement::all(&mut tx, e.id)
        .await
        .unwrap()
        .len()
}

const HANNAH: &str = "hannah.weber@northwind-bio.example";

backend_tests! {
    async fn the_demo_seeds_once_and_its_audit_trail_verifies(db: TestDb) {
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        let first = accord(&db.url, &key, &["demo", "--seed-only", "--json"]);
        assert!(first.status.success(), "{}", stderr(&first));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&first)).expect("JSON");
        assert_eq!(doc["password"], "accord-demo-2026");
        assert!(doc["url"].as_str().unwrap().starts_with("http://"));
        let users = doc["users"].as_array().unwrap();
        assert!(users.len() >= 12);
        let orgs: std::collections::BTreeSet<&str> = users.iter().map(|u| u["organisation"].as_str().unwrap()).collect();
        assert_eq!(orgs.len(), 3, "a partner and two customers");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let v1 = accord(&db.url, &key, &["audit", "verify"]);
        assert!(v1.status.success(), "{}", stdout(&v1));

        let second = accord(&db.url, &key, &["demo", "--seed-only", "--json"]);
        assert!(second.status.success(), "{}", stderr(&second));
        let v2 = accord(&db.url, &key, &["audit", "verify"]);
        assert_eq!(stdout(&v1).split(" in ").next(), stdout(&v2).split(" in ").next(), "the second run wrote nothing");
        let list = accord(&db.url, &key, &["org", "list"]);
        assert_eq!(stdout(&list).lines().count(), 3);

        // Customers of one partner share no engagement: each customer admin's engagements
        // name only their own company.
        let mut tx = db.store.read().await.unwrap();
        let engagements = accord_store::engagement::list_all(&mut tx).await.unwrap();
        let phases: std::collections::BTreeSet<String> = engagements.iter().map(|e| e.phase.clone()).collect();
        assert_eq!(phases.len(), 3, "engagements in every phase: {phases:?}");
        let customers: std::collections::BTreeSet<uuid::Uuid> = engagements.iter().map(|e| e.customer_id).collect();
        assert_eq!(customers.len(), 2);
        assert!(engagements.iter().any(|e| e.cycle > 1), "one engagement is in its second cycle");
    }

    async fn audit_verify_exits_1_and_names_the_broken_event(db: TestDb) {
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        assert!(accord(&db.url, &key, &["demo", "--seed-only"]).status.success());
        let cp = dir.0.join("checkpoint.json");
        let out = accord(&db.url, &key, &["audit", "checkpoint", "-o", cp.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = accord(&db.url, &key, &["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stdout(&out));
        assert!(stdout(&out).contains("consistent with the checkpoint"));

        // Cut the last event of the busiest chain and rewrite its head: only the checkpoint sees it.
        let mut tx = db.store.read().await.unwrap();
        let heads = accord_store::audit::heads(&mut tx, None).await.unwrap();
        let head = heads.iter().max_by_key(|h| h.head_seq).unwrap().clone();
        let prev = accord_store::audit::list(&mut tx, head.chain_id, head.head_seq - 2, 1).await.unwrap().remove(0);
        drop(tx);
        let mut tx = db.store.write().await.unwrap();
        accord_store::execute!(&mut tx, |c| sqlx::query("delete from audit_events where chain_id = $1 and seq = $2").bind(head.chain_id).bind(head.head_seq).execute(c).await).unwrap();
        accord_store::execute!(&mut tx, |c| sqlx::query("update audit_chains set head_seq = $1, head_hash = $2 where chain_id = $3").bind(prev.seq).bind(&prev.hash).bind(head.chain_id).execute(c).await).unwrap();
        tx.commit().await.unwrap();
        assert!(accord(&db.url, &key, &["audit", "verify"]).status.success());
        let out = accord(&db.url, &key, &["audit", "verify", "--checkpoint", cp.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stdout(&out).contains(&format!("chain {}", head.chain_id)), "{}", stdout(&out));

        // A changed row fails even without the checkpoint, naming the event.
        let mut tx = db.store.write().await.unwrap();
        accord_store::execute!(&mut tx, |c| sqlx::query("update audit_events set reason = 'edited' where chain_id = $1 and seq = 2").bind(head.chain_id).execute(c).await).unwrap();
        tx.commit().await.unwrap();
        let out = accord(&db.url, &key, &["audit", "verify", "--json"]);
        assert_eq!(out.status.code(), Some(1));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!((report["ok"].as_bool(), report["first_broken"]["seq"].as_i64()), (Some(false), Some(2)), "{report}");

        // Another key is refused before anything is written with it.
        let other = dir.0.join("other.key");
        std::fs::write(&other, "11".repeat(32)).unwrap();
        let out = accord(&db.url, &other, &["org", "list"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("did not sign the audit trail"), "{}", stderr(&out));

        // Without the key that signed the trail, Accord refuses to start rather than make a new one.
        std::fs::remove_file(&key).unwrap();
        let out = accord(&db.url, &key, &["audit", "verify"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("audit key"), "{}", stderr(&out));
        assert!(!key.exists());
    }

    async fn a_user_and_a_token_from_the_command_line_work_against_the_server(db: TestDb) {
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        assert!(accord(&db.url, &key, &["org", "add", "--slug", "acme-pharma", "--name", "Acme Pharma", "--kind", "customer"]).status.success());
        let bad = accord(&db.url, &key, &["org", "add", "--slug", "Acme", "--name", "A", "--kind", "customer"]);
        assert!(!bad.status.success() && stderr(&bad).contains("slug"), "{}", stderr(&bad));
        let short = accord_stdin(&db.url, &key, &["user", "add", "--organisation", "acme-pharma", "--email", "qa@acme.example", "--name", "QA Lead", "--password-stdin"], Some("short\n"));
        assert!(!short.status.success());
        assert!(stderr(&short).contains("password: must be at least 12 characters"), "{}", stderr(&short));
        let ok = accord_stdin(&db.url, &key, &["user", "add", "--organisation", "acme-pharma", "--email", "qa@acme.example", "--name", "QA Lead", "--password-stdin", "--admin"], Some("a long enough passphrase\n"));
        assert!(ok.status.success(), "{}", stderr(&ok));
        let dup = accord_stdin(&db.url, &key, &["user", "add", "--organisation", "acme-pharma", "--email", "QA@acme.example", "--name", "Again", "--password-stdin"], Some("a long enough passphrase\n"));
        assert!(stderr(&dup).contains("email: is already registered"), "{}", stderr(&dup));
        let wrong = accord_stdin(&db.url, &key, &["token", "create", "--email", "qa@acme.example", "--password-stdin"], Some("not the passphrase\n"));
        assert!(!wrong.status.success());
        let tok = accord_stdin(&db.url, &key, &["token", "create", "--email", "qa@acme.example", "--password-stdin"], Some("a long enough passphrase\n"));
        assert!(tok.status.success(), "{}", stderr(&tok));
        let token = stdout(&tok).trim().to_string();
        assert!(token.starts_with("acc_"));

        let (mut server, addr) = serve(&db.url, &key);
        let health = http(&addr, "GET", "/healthz", None);
        let me = http(&addr, "GET", "/api/v1/me", Some(&token));
        let anon = http(&addr, "GET", "/api/v1/me", None);
        let doc = http(&addr, "GET", "/api/v1/openapi.json", None);
        server.kill().unwrap();
        server.wait().unwrap();
        assert_eq!(health.0, 200);
        assert_eq!(me.0, 200, "{}", me.1);
        assert!(me.1.contains("qa@acme.example"));
        assert_eq!(anon.0, 401);
        assert!(doc.1.contains("/api/v1/engagements/{eid}/gate"));
    }

    async fn two_servers_on_one_database_lose_no_update(db: TestDb) {
        // RELIABILITY.md R5, scaled down: two `accord serve` processes on one database, one
        // client on each, racing read-modify-write edits of one record with If-Match.
        const EDITS: usize = 40;
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        assert!(accord(&db.url, &key, &["demo", "--seed-only"]).status.success());
        let (mut a, addr_a) = serve(&db.url, &key);
        let (mut b, addr_b) = serve(&db.url, &key);
        let login = request(&addr_a, "POST", "/api/v1/auth/login", None, &[], Some(r#"{"email":"amelia.hart@northwind-bio.example","password":"accord-demo-2026"}"#));
        assert_eq!(login.status, 200, "{}", login.body);
        let token = serde_json::from_str::<serde_json::Value>(&login.body).unwrap()["token"].as_str().unwrap().to_string();
        let list: serde_json::Value = serde_json::from_str(&request(&addr_b, "GET", "/api/v1/engagements", Some(&token), &[], None).body).unwrap();
        let eid = list["items"].as_array().unwrap().iter().find(|e| e["key"] == "NWB-LIMS").unwrap()["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/engagements/{eid}");
        let cur = request(&addr_a, "GET", &path, Some(&token), &[], None);
        let r = request(&addr_a, "PATCH", &path, Some(&token), &[("If-Match", cur.header("etag").unwrap())], Some(r#"{"name":"counter 0"}"#));
        assert_eq!(r.status, 200, "{}", r.body);
        let mut workers = Vec::new();
        for addr in [addr_a.clone(), addr_b.clone()] {
            let (token, path) = (token.clone(), path.clone());
            workers.push(tokio::task::spawn_blocking(move || {
                let mut acked = 0;
                while acked < EDITS {
                    let cur = request(&addr, "GET", &path, Some(&token), &[], None);
                    assert_eq!(cur.status, 200, "{}", cur.body);
                    let doc: serde_json::Value = serde_json::from_str(&cur.body).unwrap();
                    let n: u64 = doc["name"].as_str().unwrap().trim_start_matches("counter ").parse().unwrap();
                    let body = format!(r#"{{"name":"counter {}"}}"#, n + 1);
                    let r = request(&addr, "PATCH", &path, Some(&token), &[("If-Match", cur.header("etag").unwrap())], Some(&body));
                    match r.status {
                        200 => acked += 1,
                        409 => assert!(r.body.contains("current_version"), "{}", r.body),
                        other => panic!("unexpected {other}: {}", r.body),
                    }
                }
                acked
            }));
        }
        let mut acked = 0;
        for w in workers {
            acked += w.await.unwrap();
        }
        let fin: serde_json::Value = serde_json::from_str(&request(&addr_b, "GET", &path, Some(&token), &[], None).body).unwrap();
        a.kill().unwrap();
        b.kill().unwrap();
        let _ = (a.wait(), b.wait());
        assert_eq!(fin["name"], format!("counter {acked}"), "every acknowledged edit survives");
        let out = accord(&db.url, &key, &["audit", "verify"]);
        assert!(out.status.success(), "{}", stdout(&out));
    }

    async fn reqif_and_documents_go_in_and_out_through_the_command_line(db: TestDb) {
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        assert!(accord(&db.url, &key, &["demo", "--seed-only"]).status.success());
        let before = requirement_count(&db, "NWB-LIMS").await;
        let file = dir.0.join("five.reqif");
        std::fs::write(&file, generated_reqif(5)).unwrap();
        let f = file.to_str().unwrap();
        let out = accord(&db.url, &key, &["import", "reqif", f, "--engagement", "NWB-LIMS", "--as", HANNAH, "--area", "QC laboratory"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("5 spec objects: 5 requirements") && stdout(&out).contains("1 trace links from 1 relations"), "{}", stdout(&out));
        assert_eq!(requirement_count(&db, "NWB-LIMS").await, before + 5);
        assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
        // Back out: the document as it came, the specification, the matrix in both forms.
        let back = dir.0.join("back.reqif");
        let out = accord(&db.url, &key, &["export", "reqif", "--engagement", "NWB-LIMS", "-o", back.to_str().unwrap(), "--as", HANNAH]);
        assert!(out.status.success(), "{}", stderr(&out));
        let r = accord_interchange::reqif::read(&std::fs::read(&back).unwrap()).unwrap();
        assert_eq!(r.reqif.spec_objects.len(), 5);
        let spec = dir.0.join("spec.html");
        let out = accord(&db.url, &key, &["export", "specification", "--engagement", "NWB-LIMS", "-o", spec.to_str().unwrap(), "--as", HANNAH, "--lang", "zh-CN"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).starts_with(&format!("{} requirements", before + 5)), "{}", stdout(&out));
        let html = std::fs::read_to_string(&spec).unwrap();
        assert!(html.contains("需求规格说明书") && html.contains("Generated requirement 4"));
        let csv = dir.0.join("matrix.csv");
        let out = accord(&db.url, &key, &["export", "traceability", "--engagement", "NWB-LIMS", "-o", csv.to_str().unwrap(), "--as", HANNAH]);
        assert!(out.status.success(), "{}", stderr(&out));
        let csv = std::fs::read_to_string(&csv).unwrap();
        assert!(csv.starts_with("\u{feff}key,title,status"), "{}", &csv[..60]);
        assert_eq!(csv.lines().count(), before + 5 + 1);
        let out = accord(&db.url, &key, &["export", "specification", "--engagement", "NWB-LIMS", "-o", spec.to_str().unwrap(), "--as", HANNAH, "--lang", "fr"]);
        assert!(!out.status.success() && stderr(&out).contains("--lang fr"), "{}", stderr(&out));
        // An attribute the document does not have: a warning about the options, with no line.
        let out = accord(&db.url, &key, &["import", "reqif", f, "--engagement", "NWB-LIMS", "--as", HANNAH, "--area", "QC laboratory", "--title-from", "Titel"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("warning: title_from: the document has no attribute named \"Titel\""), "{}", stderr(&out));
    }

    async fn an_import_killed_half_way_leaves_nothing_of_it(db: TestDb) {
        let dir = TempDir::new();
        let key = dir.0.join("accord.key");
        assert!(accord(&db.url, &key, &["demo", "--seed-only"]).status.success());
        let before = requirement_count(&db, "NWB-LIMS").await;
        let n = 20_000;
        let file = dir.0.join("big.reqif");
        std::fs::write(&file, generated_reqif(n)).unwrap();
        let mut killed_running = 0;
        let mut expected = before;
        // SIGKILL at growing delays: whatever moment it lands in (reading, writing the rows,
        // committing), the engagement has either none of the file or all of it.
        for ms in [150u64, 400, 900, 1800, 3500, 7000] {
            let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
                .args(["--database", &db.url, "--audit-key-file"])
                .arg(&key)
                .args(["import", "reqif"])
                .arg(&file)
                .args(["--engagement", "NWB-LIMS", "--as", HANNAH, "--area", "QC laboratory"])
                .env_remove("ACCORD_DATABASE_URL")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(ms));
            let running = child.try_wait().unwrap().is_none();
            killed_running += usize::from(running);
            child.kill().ok();
            child.wait().unwrap();
            let now = requirement_count(&db, "NWB-LIMS").await;
            eprintln!("killed at {ms} ms (still running: {running}): {now} requirements");
            assert!(now == expected || now == expected + n, "after a kill at {ms} ms: {now} requirements, expected {expected} or {}", expected + n);
            expected = now;
        }
        assert!(killed_running > 0, "no import was still running when killed");
        // The audit trail is whole: a killed import left no event without its records.
        let v = accord(&db.url, &key, &["audit", "verify"]);
        assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
    }
}
