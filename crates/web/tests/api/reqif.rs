//! ReqIF through an engagement (issue 5): every shared corpus file imports with the warnings it
//! deserves and exports back to the same model (validated against the ReqIF 1.2 XSD by the
//! `reqif` Python package when `ACCORD_REQIF_VALIDATOR` names its command, as in CI); an import
//! is one transaction audited per record; bad files, outsiders and oversized uploads are refused.

use accord_interchange::reqif::{self, zip};
use accord_test_support::{backend_tests, email, TestApp, World};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reqif-corpus");
    if dir.join("MANIFEST.tsv").exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (it is present in CI)", dir.display());
        None
    }
}

/// The documents of a file: its one document, or each `.reqif` of a `.reqifz`.
fn documents(bytes: &[u8]) -> Vec<Vec<u8>> {
    if zip::is_zip(bytes) {
        zip::unpack(bytes, 1 << 30)
            .unwrap()
            .documents
            .into_iter()
            .map(|(_, d)| d)
            .collect()
    } else {
        vec![bytes.to_vec()]
    }
}

async fn upload(
    t: &TestApp,
    token: &str,
    eid: uuid::Uuid,
    query: &str,
    body: Vec<u8>,
) -> accord_test_support::Resp {
    send_file(
        t,
        token,
        &format!("/api/v1/engagements/{eid}/imports/reqif?{query}"),
        body,
    )
    .await
}

/// Compares a newer export with the imported document `doc` (a preview without `confirm`).
async fn compare(
    t: &TestApp,
    token: &str,
    eid: uuid::Uuid,
    doc: &str,
    query: &str,
    body: String,
) -> accord_test_support::Resp {
    let uri = format!("/api/v1/engagements/{eid}/imports/reqif/{doc}?{query}");
    send_file(t, token, &uri, body.into_bytes()).await
}

async fn send_file(
    t: &TestApp,
    token: &str,
    uri: &str,
    body: Vec<u8>,
) -> accord_test_support::Resp {
    t.send(
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/octet-stream")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The `reqif` package's verdict on a file: (errors, schema issues, semantic issues), when
/// `ACCORD_REQIF_VALIDATOR` names its command.
fn validate(path: &std::path::Path) -> Option<[u64; 3]> {
    let cmd = std::env::var("ACCORD_REQIF_VALIDATOR").ok()?;
    let out = std::process::Command::new(&cmd)
        .args(["validate", "--use-reqif-schema"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = said
        .lines()
        .find(|l| l.starts_with("Validation complete with"))
        .unwrap_or_else(|| panic!("{}: no verdict: {said}", path.display()));
    let n: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    Some([n[0], n[1], n[2]])
}

async fn setup(t: &TestApp) -> (World, String) {
    let w = World::seed(t).await;
    w.assign(
        t,
        "c1_fam",
        "functional_area_manager",
        Some("QC laboratory"),
    )
    .await;
    let tok = t.login(email("c1_fam")).await;
    (w, tok)
}

/// Runs `preview` while another transaction holds the engagement's write lock, and returns its
/// answer (200); fails if the preview waits for the lock.
async fn preview_beside_a_writer(
    t: &TestApp,
    eid: uuid::Uuid,
    preview: impl std::future::Future<Output = accord_test_support::Resp>,
) -> accord_test_support::Resp {
    let writer =
        t.db.store
            .begin_write(eid, accord_store::audit::ChainKind::Engagement)
            .await
            .unwrap();
    let r = tokio::time::timeout(std::time::Duration::from_secs(5), preview)
        .await
        .expect("the preview waited for another writer's lock");
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    drop(writer);
    r
}

backend_tests! {
    async fn every_corpus_file_imports_and_exports_back_to_the_same_model(db: TestDb) {
        let Some(dir) = corpus() else { return };
        if std::env::var("ACCORD_REQIF_VALIDATOR").is_err() {
            eprintln!("ACCORD_REQIF_VALIDATOR unset: exports are compared, not validated against the XSD");
        }
        let t = TestApp::new(db).await;
        let xsd = t.app.store().engine() == accord_store::Engine::Sqlite;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
        let out = accord_test_support::TempDir::new();
        let mut imported = 0;
        let mut validated = 0;
        for line in manifest.lines().skip(1) {
            let name = line.split('\t').next().unwrap();
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let original_bytes = documents(&bytes);
            let originals: Vec<reqif::Read> = original_bytes.iter().map(|d| reqif::read(d).unwrap()).collect();
            let before = t.audit_count().await;
            let r = upload(&t, &tok, eid, &format!("functional_area=QC%20laboratory&name={name}"), bytes.clone()).await;
            assert_eq!(r.status, StatusCode::CREATED, "{name}: {}", r.text);
            let rep = &r.body;
            let objects: usize = originals.iter().map(|o| o.reqif.spec_objects.len()).sum();
            let warnings: usize = originals.iter().map(|o| o.warnings.len()).sum();
            assert_eq!(rep["spec_objects"].as_u64().unwrap() as usize, objects, "{name}");
            assert_eq!(
                (rep["requirements_created"].as_u64().unwrap() + rep["sections"].as_u64().unwrap()) as usize,
                objects,
                "{name}: each spec object is a requirement or a section heading"
            );
            let said = rep["warnings"].as_array().unwrap();
            assert!(said.len() >= warnings, "{name}: the reader's warnings are all reported");
            assert!(said.iter().all(|w| !w["message"].as_str().unwrap().is_empty()), "{name}");
            let docs = rep["document_ids"].as_array().unwrap();
            assert_eq!(docs.len(), originals.len(), "{name}");
            // One audit event per created record: requirements, links and the document.
            let created = rep["requirements_created"].as_i64().unwrap() + rep["links_created"].as_i64().unwrap() + docs.len() as i64;
            assert_eq!(t.audit_count().await - before, created, "{name}");
            // Written back: the same model, document by document.
            for (i, (doc_id, original)) in docs.iter().zip(&originals).enumerate() {
                let (status, bytes) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif?document_id={}", doc_id.as_str().unwrap()), &tok).await;
                assert_eq!(status, StatusCode::OK, "{name}");
                let written = documents(&bytes).remove(0);
                let again = reqif::read(&written).unwrap_or_else(|e| panic!("{name}: the export does not read back: {e}"));
                assert_eq!(again.reqif, original.reqif, "{name}: the model changed on the way through Accord");
                // Valid where the source was valid: an export adds no schema issue (a source
                // with a dangling reference keeps it, and so keeps that issue).
                // Each attachment is served as it came.
                if name == "rmf_attachment_svg.reqifz" {
                    let a = zip::unpack(&bytes, 1 << 30).unwrap().attachments;
                    let first = &a[0];
                    let q = first.path.replace(' ', "%20");
                    let (st, got) = t.get_bytes(&format!("/api/v1/engagements/{eid}/imports/reqif/{}/attachment?path={q}", doc_id.as_str().unwrap()), &tok).await;
                    assert_eq!((st, got.as_slice()), (StatusCode::OK, first.bytes.as_slice()), "{}", first.path);
                    let (st, _) = t.get_bytes(&format!("/api/v1/engagements/{eid}/imports/reqif/{}/attachment?path=nothing.png", doc_id.as_str().unwrap()), &tok).await;
                    assert_eq!(st, StatusCode::NOT_FOUND);
                }
                let file = out.0.join(format!("{}.reqif", doc_id.as_str().unwrap()));
                std::fs::write(&file, &written).unwrap();
                let source = out.0.join(format!("{}.source.reqif", doc_id.as_str().unwrap()));
                std::fs::write(&source, &original_bytes[i]).unwrap();
                // The export is the same on both engines (the model comparison above shows it),
                // so the slow validator runs once, on SQLite, the pair side by side.
                if !xsd {
                    continue;
                }
                let (got, was) = std::thread::scope(|sc| {
                    let a = sc.spawn(|| validate(&file));
                    let b = sc.spawn(|| validate(&source));
                    (a.join().unwrap(), b.join().unwrap())
                });
                if let (Some(got), Some(was)) = (got, was) {
                    assert!(got.iter().zip(&was).all(|(g, w)| g <= w), "{name}: the export has {got:?} issues, the source {was:?}");
                    validated += 1;
                }
            }
            imported += 1;
        }
        assert_eq!(imported, 30);
        if xsd && std::env::var("ACCORD_REQIF_VALIDATOR").is_ok() {
            assert!(validated >= 30, "only {validated} exports validated");
        }
        assert!(t.app.verify_chains(None, None).await.unwrap().ok);
    }

    async fn bad_files_outsiders_and_oversized_uploads_are_refused_and_nothing_is_written(db: TestDb) {
        let t = TestApp::with_web(db, accord_web::WebConfig { max_import_bytes: 4096, ..accord_test_support::test_web_config() }).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let outsider = t.login(email("c2_admin")).await;
        let before = t.audit_count().await;
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory", b"this is not XML at all".to_vec()).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "{}", r.text);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory", b"<REQ-IF><THE-HEADER>".to_vec()).await;
        assert!(r.text.contains("truncated") || r.text.contains("line 1"), "{}", r.text);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory", br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><REQ-IF>&a;</REQ-IF>"#.to_vec()).await;
        assert!(r.text.contains("DTD"), "{}", r.text);
        let twice = ONE.replace("</SPEC-OBJECTS>", &format!("{}</SPEC-OBJECTS>", &ONE[ONE.find("<SPEC-OBJECT IDENTIFIER").unwrap()..ONE.find("</SPEC-OBJECTS>").unwrap()]));
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory", twice.into_bytes()).await;
        assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.text.contains("repeat an IDENTIFIER"), "{}", r.text);
        let r = upload(&t, &tok, eid, "functional_area=Warehouse", ONE.as_bytes().to_vec()).await;
        assert_eq!((r.status, r.body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("functional_area")), "{}", r.text);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory", vec![b' '; 5000]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
        assert!(r.text.contains("4096"), "the limit is named: {}", r.text);
        let r = upload(&t, &outsider, eid, "functional_area=QC%20laboratory", ONE.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
        assert_eq!(t.audit_count().await, before, "nothing was written");
        let r = t.get(&format!("/api/v1/engagements/{eid}/requirements"), &tok).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 0);

        // The good one: numbered after what is there, filed under the area, audited.
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=labels.reqif", ONE.as_bytes().to_vec()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["first_key"].as_str(), r.body["requirements_created"].as_u64()), (Some("REQ-0001"), Some(1)));
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements"), &tok).await;
        let req = &list.body["items"][0];
        assert_eq!((req["title"].as_str(), req["statement"].as_str(), req["functional_area"].as_str()),
            (Some("Print labels"), Some("Print a label for each sample at receipt.\nThe label carries the LIMS ID."), Some("QC laboratory")));
        assert!(req["source"].as_str().unwrap().starts_with("ReqIF labels.reqif: LAB-7"), "{req}");
        let docs = t.get(&format!("/api/v1/engagements/{eid}/imports/reqif"), &tok).await;
        assert_eq!(docs.body["items"][0]["title"], "Labels");
        // Every attribute of the spec object is kept and shown with the requirement.
        let rid = req["id"].as_str().unwrap();
        let d = t.get(&format!("/api/v1/engagements/{eid}/requirements/{rid}"), &tok).await;
        let origin = &d.body["origin"];
        assert_eq!(origin["identifier"], "o", "{}", d.text);
        let values: Vec<(String, String, String)> = origin["values"].as_array().unwrap().iter()
            .map(|v| (v["name"].as_str().unwrap().into(), v["datatype"].as_str().unwrap().into(), v["text"].as_str().unwrap().into())).collect();
        assert!(values.contains(&("ReqIF.ForeignID".into(), "STRING".into(), "LAB-7".into())), "{values:?}");
        assert!(values.iter().any(|v| v.0 == "ReqIF.Text" && v.1 == "XHTML"), "{values:?}");
        let s = t.page_login(email("c1_fam")).await;
        let p = t.page(Method::GET, &format!("/engagements/{eid}/requirements/{rid}"), Some(&s), None, &[]).await;
        assert!(p.text.contains("Imported from ReqIF") && p.text.contains("LAB-7") && p.text.contains("<code>o</code>"), "{}", p.text);
        // Edited in Accord, written back: the new title and statement in ReqIF.Name and
        // ReqIF.Text, a new LAST-CHANGE, everything else as it came.
        let (_, before_bytes) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif"), &tok).await;
        let before_model = reqif::read(&before_bytes).unwrap().reqif;
        // A change of status alone leaves the spec object as it came.
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{rid}"), Some(&tok),
            Some(serde_json::json!({"status": "in_clarification"})), &[("if-match", "\"1\"")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let (_, same) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif"), &tok).await;
        assert_eq!(reqif::read(&same).unwrap().reqif, before_model);
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{rid}"), Some(&tok),
            Some(serde_json::json!({"title": "Print labels & tags", "statement": "Print a label at receipt.\nReprint on request <b>only</b>."})), &[("if-match", "\"2\"")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let (_, after_bytes) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif"), &tok).await;
        let after = reqif::read(&after_bytes).unwrap().reqif;
        let o = &after.spec_objects[0];
        assert_ne!(o.id.last_change, before_model.spec_objects[0].id.last_change);
        assert!(o.values.iter().any(|v| v.content == reqif::Content::Simple(Some("Print labels & tags".into()))), "{o:?}");
        let text = o.values.iter().find_map(|v| match &v.content { reqif::Content::Xhtml { value: Some(x), .. } => Some(x.clone()), _ => None }).unwrap();
        assert_eq!(reqif::xhtml_to_text(&text), "Print a label at receipt.\nReprint on request <b>only</b>.");
        assert!(o.values.iter().any(|v| v.content == reqif::Content::Simple(Some("LAB-7".into()))), "the foreign id is kept");
        assert_eq!(after.datatypes, before_model.datatypes);
    }
}

backend_tests! {
    async fn the_upload_form_imports_and_reports_and_refuses_what_it_should(db: TestDb) {
        let t = TestApp::with_web(db, accord_web::WebConfig { max_import_bytes: 8192, ..accord_test_support::test_web_config() }).await;
        let (w, _) = setup(&t).await;
        let eid = w.engagement;
        let s = t.page_login(email("c1_fam")).await;
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements"), Some(&s), None, &[]).await;
        assert!(list.text.contains("enctype=\"multipart/form-data\"") && list.text.contains("Import from ReqIF"), "{}", list.text);
        let path = format!("/engagements/{eid}/requirements/import");
        let before = t.audit_count().await;
        // A forged form (wrong CSRF token) is refused and writes nothing.
        let r = t.upload(&path, &s, &[("functional_area", "QC laboratory")], ("labels.reqif", ONE.as_bytes()), Some("forged")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        // Not ReqIF: the list comes back with the error and the area chosen.
        let r = t.upload(&path, &s, &[("functional_area", "QC laboratory")], ("notes.txt", b"just notes"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
        assert!(r.text.contains("not a ReqIF document") || r.text.contains("not well-formed"), "{}", r.text);
        assert!(r.text.contains("<option value=\"QC laboratory\" selected>"), "{}", r.text);
        let r = t.upload(&path, &s, &[("functional_area", "QC laboratory")], ("big.reqif", &vec![b' '; 9000]), None).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
        assert!(r.text.contains("8192"), "{}", r.text);
        assert_eq!(t.audit_count().await, before);
        // The good one: the report, in the page's language.
        let r = t.upload(&path, &s, &[("functional_area", "QC laboratory")], ("labels.reqif", ONE.as_bytes()), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("labels.reqif") && r.text.contains("REQ-0001") && r.text.contains("The file was imported."), "{}", r.text);
        assert_eq!(t.audit_count().await - before, 2);
    }
}

backend_tests! {
    async fn an_engagement_exports_its_requirements_and_links_as_a_new_document(db: TestDb) {
        let t = TestApp::new(db).await;
        let xsd = t.app.store().engine() == accord_store::Engine::Sqlite;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let fam = t.actor(email("c1_fam")).await;
        let new = |title: &str, statement: &str| accord_app::requirement::NewRequirement {
            title: title.into(), statement: statement.into(), functional_area: "QC laboratory".into(), ..Default::default()
        };
        let a = t.app.create_requirement(&fam, eid, new("Flag OOS", "Flag every OOS result & <block> release.\nNotify QA.")).await.unwrap();
        let b = t.app.create_requirement(&fam, eid, new("Release", "Release only complete batches.")).await.unwrap();
        t.app.create_link(&fam, eid, accord_app::trace::NewLink { from_id: b.id, to_id: a.id, kind: "depends_on".into() }).await.unwrap();
        let (st, bytes) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif"), &tok).await;
        assert_eq!(st, StatusCode::OK);
        let r = reqif::read(&bytes).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let m = &r.reqif;
        assert_eq!((m.spec_objects.len(), m.spec_relations.len(), m.specifications[0].children.len()), (2, 1, 2));
        let text = m.spec_objects[0].values.iter().find_map(|v| match &v.content { reqif::Content::Xhtml { value: Some(x), .. } => Some(reqif::xhtml_to_text(x)), _ => None }).unwrap();
        assert_eq!(text, "Flag every OOS result & <block> release.\nNotify QA.");
        // What Accord writes, Accord (and the ReqIF 1.2 schema) reads: importing it into another
        // engagement gives the same requirements.
        if xsd {
            let out = accord_test_support::TempDir::new();
            let file = out.0.join("engagement.reqif");
            std::fs::write(&file, &bytes).unwrap();
            if let Some(v) = validate(&file) {
                assert_eq!(v, [0, 0, 0], "the export validates");
            }
        }
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=again.reqif", bytes).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!((r.body["requirements_created"].as_u64(), r.body["links_created"].as_u64()), (Some(2), Some(1)));
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?q=Flag"), &tok).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 2, "{}", list.text);
        // With an import there, the engagement as a whole is still one query parameter away.
        let (_, whole) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif?engagement=true"), &tok).await;
        assert_eq!(reqif::read(&whole).unwrap().reqif.spec_objects.len(), 4);
    }
}

/// A document with one requirement: name, XHTML text and a foreign id.
const ONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>Labels</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT><DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="200"/><DATATYPE-DEFINITION-XHTML IDENTIFIER="x"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="n" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="f" LONG-NAME="ReqIF.ForeignID"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="x1" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-XHTML-REF>x</DATATYPE-DEFINITION-XHTML-REF></TYPE></ATTRIBUTE-DEFINITION-XHTML>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o"><VALUES>
<ATTRIBUTE-VALUE-STRING THE-VALUE="Print labels"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-STRING THE-VALUE="LAB-7"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>f</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>x1</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE><xhtml:div><xhtml:p>Print a label for each sample at receipt.</xhtml:p> <xhtml:p>The label carries the <xhtml:b>LIMS ID</xhtml:b>.</xhtml:p></xhtml:div></THE-VALUE></ATTRIBUTE-VALUE-XHTML>
</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#;

/// A small document: objects (IDENTIFIER, name, text) and relations (source, target).
fn doc_of(objects: &[(&str, &str, &str)], relations: &[(&str, &str)]) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>URS</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT><DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="500"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="n" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="x" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE><SPEC-RELATION-TYPE IDENTIFIER="rt" LONG-NAME="Depends on"/></SPEC-TYPES><SPEC-OBJECTS>"#,
    );
    for (id, name, text) in objects {
        x.push_str(&format!(r#"<SPEC-OBJECT IDENTIFIER="{id}"><VALUES><ATTRIBUTE-VALUE-STRING THE-VALUE="{name}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING><ATTRIBUTE-VALUE-STRING THE-VALUE="{text}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>x</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING></VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>"#));
    }
    x.push_str("</SPEC-OBJECTS><SPEC-RELATIONS>");
    for (i, (a, b)) in relations.iter().enumerate() {
        x.push_str(&format!(r#"<SPEC-RELATION IDENTIFIER="r{i}"><TYPE><SPEC-RELATION-TYPE-REF>rt</SPEC-RELATION-TYPE-REF></TYPE><SOURCE><SPEC-OBJECT-REF>{a}</SPEC-OBJECT-REF></SOURCE><TARGET><SPEC-OBJECT-REF>{b}</SPEC-OBJECT-REF></TARGET></SPEC-RELATION>"#));
    }
    x.push_str("</SPEC-RELATIONS></REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>");
    x
}

fn keys_of(changes: &serde_json::Value) -> Vec<String> {
    changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["identifier"].as_str().unwrap().to_string())
        .collect()
}

backend_tests! {
    async fn a_newer_export_is_compared_by_identifier_previewed_then_applied_on_confirmation(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let v1 = doc_of(&[("a", "Log samples", "Log every sample."), ("b", "Flag OOS", "Flag OOS results."), ("c", "Print labels", "Print a label."), ("d", "Fax results", "Fax results to QA.")], &[("a", "b")]);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=urs.reqif", v1.into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let doc = r.body["document_ids"][0].as_str().unwrap().to_string();
        let key_of = |list: &serde_json::Value, title: &str| -> (String, i64) {
            let it = list["items"].as_array().unwrap().iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("{title}"));
            (it["id"].as_str().unwrap().to_string(), it["version"].as_i64().unwrap())
        };
        // Someone edits "Print labels" in Accord.
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?limit=500"), &tok).await;
        let (c_id, c_version) = key_of(&list.body, "Print labels");
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{c_id}"), Some(&tok), Some(serde_json::json!({"title": "Print sample labels"})), &[("if-match", &format!("\"{c_version}\""))]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // And retitles "Flag OOS", whose title the newer file leaves as it was.
        let (b_id, b_version) = key_of(&list.body, "Flag OOS");
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{b_id}"), Some(&tok), Some(serde_json::json!({"title": "Flag OOS results"})), &[("if-match", &format!("\"{b_version}\""))]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);

        // The tool's newer export: a the same, b reworded, c retitled, d gone, e new, b → e.
        let v2 = doc_of(&[("a", "Log samples", "Log every sample."), ("b", "Flag OOS", "Flag OOS results and block release."), ("c", "Print barcode labels", "Print a label."), ("e", "Sign results", "Sign results electronically.")], &[("a", "b"), ("b", "e")]);
        let path = format!("/api/v1/engagements/{eid}/imports/reqif/{doc}?functional_area=QC%20laboratory");
        let send = |query: String, body: String| {
            let tok = tok.clone();
            let t = &t;
            async move {
                t.send(Request::builder().method(Method::POST).uri(query)
                    .header("authorization", format!("Bearer {tok}"))
                    .body(Body::from(body)).unwrap()).await
            }
        };
        let audit_before = t.audit_count().await;
        let count_before = t.get(&format!("/api/v1/engagements/{eid}/requirements?limit=500"), &tok).await.body["items"].as_array().unwrap().len();
        let p = send(path.clone(), v2.clone()).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        let b = &p.body;
        assert_eq!(b["applied"], false);
        assert_eq!((keys_of(&b["added"]), keys_of(&b["changed"]), b["unchanged"].as_u64(), keys_of(&b["removed"])),
            (vec!["e".to_string()], vec!["b".to_string(), "c".to_string()], Some(1), vec!["d".to_string()]), "{}", p.text);
        let changed_b = &b["changed"][0];
        assert_eq!(changed_b["changes"], serde_json::json!(["ReqIF.Text", "statement"]), "the file changed b's statement, not its title: {changed_b}");
        assert_eq!(b["changed"][1]["edited_in_accord"], true, "the preview warns that c's edit will be replaced");
        assert_eq!((b["requirements_created"].as_u64(), b["requirements_updated"].as_u64(), b["requirements_retired"].as_u64(), b["links_created"].as_u64()), (Some(1), Some(2), Some(1), Some(1)));
        // The preview wrote nothing.
        assert_eq!(t.audit_count().await, audit_before);
        // It held no write lock either: it answers, with the same token, while another writer
        // holds the engagement's.
        let again = preview_beside_a_writer(&t, eid, send(path.clone(), v2.clone())).await;
        assert_eq!(again.body["confirm"], p.body["confirm"], "{}", again.text);
        // A confirmation that is not for this file is refused, and writes nothing either.
        let r = send(format!("{path}&confirm={}", "0".repeat(64)), v2.clone()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
        assert_eq!(t.audit_count().await, audit_before);
        // Confirmed with the preview's hash: applied as previewed.
        let sha = b["confirm"].as_str().unwrap().to_string();
        let r = send(format!("{path}&confirm={sha}"), v2.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["applied"], true);
        // One event per created or changed record (e, b, c, d's retirement, the link) and one for the document.
        assert_eq!(t.audit_count().await - audit_before, 6);
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?limit=500"), &tok).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), count_before + 1);
        let find = |title: &str| list.body["items"].as_array().unwrap().iter().find(|i| i["title"] == title).cloned().unwrap_or_else(|| panic!("{title}: {}", list.text));
        // b keeps Accord's title (the file did not change it) and takes the file's statement.
        let rb = find("Flag OOS results");
        assert_eq!((rb["statement"].as_str(), rb["version"].as_i64()), (Some("Flag OOS results and block release."), Some(3)));
        assert_eq!(find("Print barcode labels")["version"], 3, "c: imported, edited, re-imported");
        assert_eq!(find("Fax results")["status"], "retired");
        let re = find("Sign results");
        let links = t.get(&format!("/api/v1/engagements/{eid}/links"), &tok).await;
        assert!(links.body["items"].as_array().unwrap().iter().any(|l| l["to"]["id"] == re["id"] && l["from"]["id"] == rb["id"]), "{}", links.text);
        // The document written back is the newer one: d is not in it.
        let (_, bytes) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/reqif?document_id={doc}"), &tok).await;
        let m = reqif::read(&bytes).unwrap().reqif;
        let ids: Vec<&str> = m.spec_objects.iter().map(|o| o.id.identifier.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "e"]);
        assert_eq!(m.spec_relations.len(), 2);
        // Retired requirements are not in the specification.
        let (_, spec) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/specification.html"), &tok).await;
        let spec = String::from_utf8(spec).unwrap();
        assert!(spec.contains("Sign results") && !spec.contains("Fax results"));
        // A later export that rewords c: the re-import changed c, Accord did not.
        let v3 = v2.replace("Print a label.", "Print a label per container.");
        let p3 = send(path.clone(), v3).await;
        assert_eq!(keys_of(&p3.body["changed"]), ["c"], "{}", p3.text);
        assert_eq!(p3.body["changed"][0]["edited_in_accord"], false, "{}", p3.text);
        // The same file again: everything unchanged.
        let again = send(path.clone(), v2.clone()).await;
        assert_eq!((again.body["unchanged"].as_u64(), again.body["added"].as_array().map(Vec::len), again.body["removed"].as_array().map(Vec::len), again.body["changed"].as_array().map(Vec::len)), (Some(4), Some(0), Some(0), Some(0)), "{}", again.text);
        // A preview goes stale when the engagement changes: its confirmation is refused.
        let v4 = v2.replace("</SPEC-OBJECTS>", "").replace("<SPEC-RELATIONS>", r#"<SPEC-OBJECT IDENTIFIER="d"><VALUES><ATTRIBUTE-VALUE-STRING THE-VALUE="Fax results"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING><ATTRIBUTE-VALUE-STRING THE-VALUE="Fax results to QA."><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>x</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING></VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS><SPEC-RELATIONS>"#);
        let p4 = send(path.clone(), v4.clone()).await;
        assert_eq!(p4.status, StatusCode::OK, "{}", p4.text);
        // d comes back: the requirement it was, not a new one.
        assert_eq!(keys_of(&p4.body["changed"]), ["d"], "{}", p4.text);
        assert!(p4.body["changed"][0]["changes"].as_array().unwrap().iter().any(|c| c == "back in the document"));
        assert_eq!(p4.body["requirements_created"], 0);
        let token = p4.body["confirm"].as_str().unwrap().to_string();
        let (a_id, a_version) = key_of(&list.body, "Log samples");
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{a_id}"), Some(&tok), Some(serde_json::json!({"rationale": "Mix-ups"})), &[("if-match", &format!("\"{a_version}\""))]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let r = send(format!("{path}&confirm={token}"), v4.clone()).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "changed since the preview: {}", r.text);
        let p4 = send(path.clone(), v4.clone()).await;
        let r = send(format!("{path}&confirm={}", p4.body["confirm"].as_str().unwrap()), v4.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        // Applied once: the same confirmation again is stale.
        let again = send(format!("{path}&confirm={}", p4.body["confirm"].as_str().unwrap()), v4.clone()).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?limit=500"), &tok).await;
        let fax: Vec<&serde_json::Value> = list.body["items"].as_array().unwrap().iter().filter(|i| i["title"] == "Fax results").collect();
        assert_eq!(fax.len(), 1, "no second requirement for d");
        assert_eq!((fax[0]["status"].as_str(), fax[0]["version"].as_i64()), (Some("draft"), Some(3)), "retired, then back");
        // A requirement retired in Accord stays retired when its object leaves and comes back.
        let sign = list.body["items"].as_array().unwrap().iter().find(|i| i["title"] == "Sign results").unwrap().clone();
        let r = t.call(Method::PATCH, &format!("/api/v1/engagements/{eid}/requirements/{}", sign["id"].as_str().unwrap()), Some(&tok), Some(serde_json::json!({"status": "retired"})), &[("if-match", &format!("\"{}\"", sign["version"]))]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let without_e = doc_of(&[("a", "Log samples", "Log every sample."), ("b", "Flag OOS", "Flag OOS results and block release."), ("c", "Print barcode labels", "Print a label per container."), ("d", "Fax results", "Fax results to QA.")], &[("a", "b")]);
        for file in [without_e, v4.clone()] {
            let p = send(path.clone(), file.clone()).await;
            let r = send(format!("{path}&confirm={}", p.body["confirm"].as_str().unwrap()), file).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        }
        let sign = t.get(&format!("/api/v1/engagements/{eid}/requirements?q=Sign"), &tok).await;
        assert_eq!(sign.body["items"][0]["status"], "retired", "{}", sign.text);
        // Outsiders learn nothing about the document.
        let c2 = t.login(email("c2_admin")).await;
        let r = t.send(Request::builder().method(Method::POST).uri(&path).header("authorization", format!("Bearer {c2}")).body(Body::from("x")).unwrap()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

/// A stored spec object as rows written before the model left out empty fields hold it: every
/// absent optional field `null`, every empty list `[]`.
fn verbose(object: &str) -> String {
    fn fill(v: &mut serde_json::Value, fields: &[(&str, serde_json::Value)]) {
        let m = v.as_object_mut().unwrap();
        for (k, empty) in fields {
            m.entry(k.to_string()).or_insert_with(|| empty.clone());
        }
    }
    let (null, list) = (serde_json::Value::Null, serde_json::json!([]));
    let mut v: serde_json::Value = serde_json::from_str(object).unwrap();
    fill(
        &mut v,
        &[
            ("attrs", list.clone()),
            ("type_ref", null.clone()),
            ("values", list.clone()),
            ("extra", list.clone()),
        ],
    );
    fill(
        &mut v["id"],
        &[
            ("last_change", null.clone()),
            ("long_name", null.clone()),
            ("desc", null.clone()),
            ("alternative_id", null.clone()),
        ],
    );
    for value in v["values"].as_array_mut().unwrap() {
        fill(value, &[("attrs", list.clone())]);
    }
    v.to_string()
}

backend_tests! {
    async fn objects_stored_in_the_older_longer_form_are_unchanged_when_the_same_file_comes_again(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let v1 = doc_of(&[("a", "Log samples", "Log every sample."), ("b", "Flag OOS", "Flag OOS results.")], &[("a", "b")]);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=urs.reqif", v1.clone().into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let doc: uuid::Uuid = r.body["document_ids"][0].as_str().unwrap().parse().unwrap();
        let mut tx = t.db.store.write().await.unwrap();
        let rows = accord_store::reqif::objects(&mut tx, doc).await.unwrap();
        assert_eq!(rows.len(), 2);
        for row in &rows {
            assert!(!row.object.contains("null") && !row.object.contains("[]"), "empty fields are left out: {}", row.object);
            let longer = verbose(&row.object);
            assert!(longer.len() > row.object.len() + 40, "{longer}");
            accord_store::execute!(&mut tx, |c| sqlx::query("update reqif_objects set object = $1 where document_id = $2 and identifier = $3")
                .bind(&longer).bind(doc).bind(&row.identifier).execute(c).await).unwrap();
        }
        tx.commit().await.unwrap();
        let path = format!("/api/v1/engagements/{eid}/imports/reqif/{doc}?functional_area=QC%20laboratory");
        let p = t.send(Request::builder().method(Method::POST).uri(&path)
            .header("authorization", format!("Bearer {tok}")).body(Body::from(v1)).unwrap()).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert_eq!((p.body["unchanged"].as_u64(), keys_of(&p.body["changed"]), keys_of(&p.body["added"])), (Some(2), vec![], vec![]), "{}", p.text);
    }
}

backend_tests! {
    async fn requirements_come_from_a_spreadsheet_previewed_then_confirmed_and_the_change_log_goes_out(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let fam = t.actor(email("c1_fam")).await;
        let old = t.app.create_requirement(&fam, eid, accord_app::requirement::NewRequirement {
            title: "Log samples".into(), statement: "Log every sample.".into(), functional_area: "QC laboratory".into(), ..Default::default()
        }).await.unwrap();
        let send = |query: String, body: Vec<u8>| {
            let tok = tok.clone();
            let t = &t;
            async move {
                t.send(Request::builder().method(Method::POST)
                    .uri(format!("/api/v1/engagements/{eid}/imports/requirements.csv?{query}"))
                    .header("authorization", format!("Bearer {tok}"))
                    .header("content-type", "text/csv")
                    .body(Body::from(body)).unwrap()).await
            }
        };
        // A sheet from Excel in Germany: a byte order mark, semicolons, its own column names.
        let sheet = format!("\u{feff}ID;Anforderung;Beschreibung;Begründung\n{};Log samples;Log every sample at receipt.;Mix-ups\n;Sign results;Sign results electronically.;Part 11\n;Print labels;\"Print a label;\nwith the LIMS ID.\";\n", old.key).into_bytes();
        let map = "map=key:ID,title:Anforderung,statement:Beschreibung,rationale:Begr%C3%BCndung&functional_area=QC%20laboratory";
        let before = t.audit_count().await;
        let p = send(map.to_string(), sheet.clone()).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert_eq!((p.body["applied"].as_bool(), p.body["created"].as_u64(), p.body["updated"].as_u64(), p.body["unchanged"].as_u64()), (Some(false), Some(2), Some(1), Some(0)), "{}", p.text);
        let row = &p.body["rows"][0];
        assert_eq!((row["action"].as_str(), row["key"].as_str()), (Some("update"), Some(old.key.as_str())));
        assert_eq!(row["changes"], serde_json::json!(["statement", "rationale"]));
        assert_eq!(t.audit_count().await, before, "a preview writes nothing");
        let again = preview_beside_a_writer(&t, eid, send(map.to_string(), sheet.clone())).await;
        assert_eq!(again.body["confirm"], p.body["confirm"], "{}", again.text);
        // Without a mapping for the statement, the file's columns are named.
        let r = send("functional_area=QC%20laboratory".into(), sheet.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("no column gives the title") && r.text.contains("Anforderung"), "{}", r.text);
        // A bad cell refuses the whole file, naming line and column.
        let bad = "title,statement\nOK,Fine.\n,No title here.\n".as_bytes().to_vec();
        let r = send("functional_area=QC%20laboratory".into(), bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("line 3, column title"), "{}", r.text);
        // A quote never closed would take every row after it into one cell: refused where it opens.
        let open = "title,statement\nA,\"The first\nB,The second\nC,The third\n".as_bytes().to_vec();
        let r = send("functional_area=QC%20laboratory".into(), open).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("line 2: a quoted cell starts here and its closing quote is missing"), "{}", r.text);
        // Two columns of one name cannot say which is meant.
        let r = send("functional_area=QC%20laboratory".into(), b"Title,title,statement\nA,B,S\n".to_vec()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains(r#"title: the file has 2 columns named \"title\" (columns 1, 2): rename all but one"#), "{}", r.text);
        let r = send("map=title:Name,statement:Text&functional_area=QC%20laboratory".into(), b"Name,Text,Text\nA,S,T\n".to_vec()).await;
        assert!(r.text.contains(r#"statement: the file has 2 columns named \"Text\" (columns 2, 3)"#), "{}", r.text);
        // A row with more cells than there are columns: an unquoted comma cut a cell in two.
        let r = send("functional_area=QC%20laboratory".into(), b"title,statement\nA,Log it, and sign it.\n".to_vec()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains(r#""field":"line 2","message":"more cells than the first line names columns (2): a cell with the separator in it must be in quotes""#), "{}", r.text);
        // Empty cells past the last column (some tools end every line with a separator) are no error.
        let r = send("functional_area=QC%20laboratory".into(), b"title,statement\nA,Log it.,,\n".to_vec()).await;
        assert_eq!((r.status, r.body["created"].as_u64()), (StatusCode::OK, Some(1)), "{}", r.text);
        let r = send("map=title".into(), sheet.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("is not field:Column"), "{}", r.text);
        let r = send(format!("{map}&confirm={}", "f".repeat(64)), sheet.clone()).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(t.audit_count().await, before);
        // Confirmed: applied as previewed, one event per record.
        let r = send(format!("{map}&confirm={}", p.body["confirm"].as_str().unwrap()), sheet).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["applied"], true);
        assert_eq!(t.audit_count().await - before, 4, "three requirements and the file");
        let new_key = r.body["rows"][2]["key"].as_str().unwrap().to_string();
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?q=label"), &tok).await;
        let it = &list.body["items"][0];
        assert_eq!((it["key"].as_str(), it["statement"].as_str()), (Some(new_key.as_str()), Some("Print a label;\nwith the LIMS ID.")));
        let updated = t.app.requirement(&fam, eid, old.id).await.unwrap().requirement;
        assert_eq!((updated.version, updated.rationale.as_str()), (2, "Mix-ups"));
        // What Accord exports, Accord imports back unchanged.
        let (_, exported) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/requirements.csv"), &tok).await;
        let again = send("functional_area=QC%20laboratory".into(), exported.clone()).await;
        assert_eq!((again.body["unchanged"].as_u64(), again.body["created"].as_u64(), again.body["updated"].as_u64()), (Some(3), Some(0), Some(0)), "{}", again.text);
        // An update-only sheet needs no area; a blank area cell keeps the requirement's.
        let updates = format!("key,title,statement,functional_area\n{},Log samples,Log every sample at receipt and at transfer.,\n", old.key).into_bytes();
        let r = send(String::new(), updates).await;
        assert_eq!((r.status, r.body["updated"].as_u64()), (StatusCode::OK, Some(1)), "{}", r.text);
        assert_eq!(r.body["rows"][0]["changes"], serde_json::json!(["statement"]));
        // A sheet exported before someone changed a requirement would undo that change: refused.
        t.app.update_requirement(&fam, eid, old.id, updated.version, accord_app::requirement::RequirementPatch { rationale: Some("Mix-ups at receipt".into()), ..Default::default() }).await.unwrap();
        let r = send("functional_area=QC%20laboratory".into(), exported).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("it changed since the file was made"), "{}", r.text);
        // The change log: every event, the import's among them, with the fields it changed.
        let (st, log) = t.get_bytes(&format!("/api/v1/engagements/{eid}/exports/changes.csv"), &tok).await;
        assert_eq!(st, StatusCode::OK);
        let log = String::from_utf8(log).unwrap();
        assert!(log.starts_with("\u{feff}seq,at,who,action,record_type,record_key"), "{}", &log[..80]);
        let update = log.lines().find(|l| l.contains("requirement.update") && l.contains("CSV import")).expect("the CSV update is in the log");
        assert!(update.contains(&old.key) && update.contains("rationale statement"), "{update}");
        assert_eq!(log.lines().filter(|l| l.contains("requirement.import")).count(), 2);
    }

    async fn a_spreadsheet_of_more_rows_than_one_statement_takes_goes_in_whole_and_in_order(db: TestDb) {
        // 1,001 rows: more than one multi-row INSERT holds (400), so the rows, their versions
        // and their events are written in several statements, each bound a batch at a time.
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let mut sheet = String::from("title,statement\n");
        for i in 1..=1001 {
            sheet.push_str(&format!("Row {i},Statement {i}.\n"));
        }
        let send = |query: String| {
            let (tok, body) = (tok.clone(), sheet.clone());
            let t = &t;
            async move {
                t.send(Request::builder().method(Method::POST)
                    .uri(format!("/api/v1/engagements/{eid}/imports/requirements.csv?functional_area=QC%20laboratory{query}"))
                    .header("authorization", format!("Bearer {tok}"))
                    .header("content-type", "text/csv")
                    .body(Body::from(body)).unwrap()).await
            }
        };
        let before = t.audit_count().await;
        let p = send(String::new()).await;
        assert_eq!(p.body["created"].as_u64(), Some(1001), "{}", p.text);
        let r = send(format!("&confirm={}", p.body["confirm"].as_str().unwrap())).await;
        assert_eq!((r.status, r.body["applied"].as_bool()), (StatusCode::OK, Some(true)), "{}", r.text);
        assert_eq!(t.audit_count().await - before, 1002, "one event per requirement and one for the file");
        let mut tx = t.db.store.read().await.unwrap();
        let mut rows = accord_store::requirement::all(&mut tx, eid).await.unwrap();
        rows.retain(|r| r.title.starts_with("Row "));
        rows.sort_by_key(|r| r.seq);
        assert_eq!(rows.len(), 1001);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!((r.title.as_str(), r.statement.as_str(), r.version), (format!("Row {}", i + 1).as_str(), format!("Statement {}.", i + 1).as_str(), 1));
        }
        // Each has its first version, the last batch's as well as the first's.
        for r in [&rows[0], &rows[400], &rows[1000]] {
            let versions = accord_store::requirement::versions(&mut tx, r.id).await.unwrap();
            assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1], "{}", r.title);
            assert!(versions[0].snapshot.contains(&r.statement), "{}", versions[0].snapshot);
        }
        drop(tx);
        let last = t.app.requirement(&t.actor(email("c1_fam")).await, eid, rows[1000].id).await.unwrap();
        assert_eq!(last.requirement.functional_area, "QC laboratory");
    }
}

/// The value of a hidden field of a page's form.
fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

backend_tests! {
    async fn the_pages_preview_a_newer_export_and_a_spreadsheet_and_apply_them_on_confirmation(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        let s = t.page_login(email("c1_fam")).await;
        let v1 = doc_of(&[("a", "Log samples", "Log every sample."), ("b", "Fax results", "Fax results to QA.")], &[]);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=urs.reqif", v1.into_bytes()).await;
        let doc = r.body["document_ids"][0].as_str().unwrap().to_string();
        let list = t.page(Method::GET, &format!("/engagements/{eid}/requirements"), Some(&s), None, &[]).await;
        assert!(list.text.contains(&format!("<option value=\"{doc}\">a newer export of urs.reqif")), "the form offers the document");
        // A newer export through the form: a preview, nothing written.
        let before = t.audit_count().await;
        let v2 = doc_of(&[("a", "Log samples", "Log every sample at receipt."), ("c", "Sign results", "Sign results electronically.")], &[("c", "gone")]);
        let r = t.upload(&format!("/engagements/{eid}/requirements/import"), &s, &[("functional_area", "QC laboratory"), ("document_id", &doc)], ("urs-2.reqif", v2.as_bytes()), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("Check before importing") && r.text.contains("<code>c</code>") && r.text.contains("Removed (their requirements retire)"), "{}", r.text);
        // Its warnings are there to read before confirming, each with its place.
        assert!(r.text.contains("<code>SPEC-RELATION r0</code>") && r.text.contains("refers to the spec object gone, which is not in the document"), "{}", r.text);
        assert_eq!(t.audit_count().await, before);
        // Confirming applies the file held since the preview, once.
        let confirm = |html: &str| {
            ["kind", "sha256", "confirm", "document_id", "functional_area", "map"].map(|n| (n, hidden(html, n)))
        };
        let fields = confirm(&r.text);
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = t.submit(&format!("/engagements/{eid}/requirements/import/confirm"), &s, &form).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert!(done.headers["location"].to_str().unwrap().ends_with("done=imported"));
        assert_eq!(t.audit_count().await - before, 4, "a changed, b retired, c created, the document");
        let again = t.submit(&format!("/engagements/{eid}/requirements/import/confirm"), &s, &form).await;
        assert!(again.text.contains("upload it again"), "{}", again.text);
        assert_eq!(t.audit_count().await - before, 4);
        // A spreadsheet through the form: the rows, then the import.
        let sheet = "Name,Text\nPrint labels,Print a label at receipt.\n";
        let r = t.upload(&format!("/engagements/{eid}/requirements/import-csv"), &s, &[("functional_area", "QC laboratory"), ("map", "title:Name,statement:Text")], ("urs.csv", sheet.as_bytes()), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert!(r.text.contains("Print labels") && r.text.contains("<td>create</td>"), "{}", r.text);
        let fields = confirm(&r.text);
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = t.submit(&format!("/engagements/{eid}/requirements/import/confirm"), &s, &form).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?q=Print"), &tok).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        // A bad sheet comes back on the list with the cell named.
        let r = t.upload(&format!("/engagements/{eid}/requirements/import-csv"), &s, &[("functional_area", "QC laboratory")], ("bad.csv", b"title,statement\n,No title\n"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text.contains("line 2, column title"), "{}", r.text);
    }
}

backend_tests! {
    async fn a_reimport_takes_titles_from_the_attributes_the_document_was_imported_with(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        // Imported with the title from ReqIF.Text.
        let v1 = doc_of(&[("a", "LAB-7", "Print labels")], &[]);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=urs.reqif&title_from=ReqIF.Text", v1.into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let doc = r.body["document_ids"][0].as_str().unwrap().to_string();
        // The newer export renames the foreign name only; no title_from given this time.
        let v2 = doc_of(&[("a", "LAB-8", "Print labels")], &[]);
        let p = compare(&t, &tok, eid, &doc, "functional_area=QC%20laboratory", v2).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        let c = &p.body["changed"][0];
        assert_eq!(c["title"], "Print labels", "{}", p.text);
        assert_eq!(c["changes"], serde_json::json!(["ReqIF.Name"]), "the title did not change: {}", p.text);
        assert_eq!(c["edited_in_accord"], false);
        assert_eq!(p.body["requirements_updated"], 0);
        assert_eq!(r.body["warnings"], serde_json::json!([]), "ReqIF.Text is the document's: {}", r.text);
    }

    async fn an_attribute_to_take_titles_from_that_the_document_does_not_have_is_a_warning(db: TestDb) {
        let t = TestApp::new(db).await;
        let (w, tok) = setup(&t).await;
        let eid = w.engagement;
        // Misspelt (names are compared exactly): the next name gives the titles, the defaults
        // the statements, and the report says why.
        let v1 = doc_of(&[("a", "LAB-7", "Print labels")], &[]);
        let r = upload(&t, &tok, eid, "functional_area=QC%20laboratory&name=urs.reqif&title_from=Reqif.Name,ReqIF.Text&statement_from=Beschreibung", v1.into_bytes()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let elements: Vec<&str> = r.body["warnings"].as_array().unwrap().iter().map(|w| w["element"].as_str().unwrap()).collect();
        assert_eq!(elements, ["title_from", "statement_from"], "{}", r.text);
        assert_eq!(
            r.body["warnings"][0]["message"],
            "the document has no attribute named \"Reqif.Name\" (names are compared exactly); its attributes are: ReqIF.Name, ReqIF.Text"
        );
        // A re-import's preview says so too.
        let doc = r.body["document_ids"][0].as_str().unwrap().to_string();
        let p = compare(&t, &tok, eid, &doc, "functional_area=QC%20laboratory&title_from=Titel", doc_of(&[("a", "LAB-7", "Print labels")], &[])).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert!(p.body["warnings"].as_array().unwrap().iter().any(|w| w["element"] == "title_from" && w["message"].as_str().unwrap().contains("no attribute named \"Titel\"")), "{}", p.text);
        assert!(!p.text.contains("another document"), "the same spec object: {}", p.text);
        // A file that shares no spec object with the document: most likely another one.
        let other = doc_of(&[("z", "LAB-9", "Weigh samples"), ("y", "LAB-10", "Label aliquots")], &[]).replace(r#"REQ-IF-HEADER IDENTIFIER="h""#, r#"REQ-IF-HEADER IDENTIFIER="h2""#);
        let p = compare(&t, &tok, eid, &doc, "functional_area=QC%20laboratory", other).await;
        assert_eq!((p.status, p.body["requirements_retired"].as_u64()), (StatusCode::OK, Some(1)), "{}", p.text);
        let w = p.body["warnings"].as_array().unwrap().iter().find(|w| w["element"] == "REQ-IF-HEADER").unwrap_or_else(|| panic!("{}", p.text));
        assert_eq!(w["message"], "none of this file's spec objects is in urs.reqif (the file's header is h2, the document's h): it looks like another document. Confirming retires 1 requirement and creates 2 requirements; to add it beside this one, import it as a new document");
    }
}
