//! The specification and traceability documents (issue 5): numbered requirements by area with
//! their attributes and links, the source tool's formatting kept but sanitised, the content hash
//! that changes with the content and only with it, the glossary and signatures, a policy that
//! lets nothing run, the reader's language, and nothing for outsiders.

use accord_test_support::{backend_tests, email, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine;
use sha2::{Digest, Sha256};

/// One requirement from a tool, its text formatted, with an attack in it.
const RICH: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml"><THE-HEADER><REQ-IF-HEADER IDENTIFIER="h"><TITLE>Labels</TITLE></REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT><DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="s" MAX-LENGTH="200"/><DATATYPE-DEFINITION-XHTML IDENTIFIER="x"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="n" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="risk" LONG-NAME="GxP risk"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="x1" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-XHTML-REF>x</DATATYPE-DEFINITION-XHTML-REF></TYPE></ATTRIBUTE-DEFINITION-XHTML>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER="o"><VALUES>
<ATTRIBUTE-VALUE-STRING THE-VALUE="Print labels"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>n</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-STRING THE-VALUE="High"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>risk</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>x1</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE><xhtml:div><xhtml:p onclick="alert(1)">Print a label at <xhtml:a href="javascript:alert(2)">receipt</xhtml:a>.</xhtml:p><xhtml:script>alert(3)</xhtml:script><xhtml:p>It carries the <xhtml:b>LIMS ID</xhtml:b>.</xhtml:p></xhtml:div></THE-VALUE></ATTRIBUTE-VALUE-XHTML>
</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT></SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>"#;

struct Doc {
    status: StatusCode,
    csp: String,
    disposition: String,
    html: String,
}

async fn fetch(t: &TestApp, path: &str, token: &str, lang: &str) -> Doc {
    let r = t
        .send(
            Request::builder()
                .method(Method::GET)
                .uri(path)
                .header("authorization", format!("Bearer {token}"))
                .header("accept-language", lang)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let h = |n: &str| {
        r.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    Doc {
        status: r.status,
        csp: h("content-security-policy"),
        disposition: h("content-disposition"),
        html: r.text.clone(),
    }
}

/// The content hash a document shows.
fn hash_of(html: &str) -> String {
    let at = html.find("sha256:").expect("a content hash");
    html[at..at + 7 + 64].to_string()
}

backend_tests! {
    async fn the_specification_numbers_sanitises_hashes_and_translates(db: TestDb) {
        let t = TestApp::new(db).await;
        let w = accord_test_support::World::seed(&t).await;
        w.assign(&t, "c1_fam", "functional_area_manager", Some("QC laboratory")).await;
        let eid = w.engagement;
        let tok = t.login(email("c1_fam")).await;
        let fam = t.actor(email("c1_fam")).await;
        let new = |title: &str, area: &str| accord_app::requirement::NewRequirement {
            title: title.into(), statement: format!("{title}: the statement."), functional_area: area.into(), ..Default::default()
        };
        let a = t.app.create_requirement(&fam, eid, new("Flag OOS results", "QC laboratory")).await.unwrap();
        let b = t.app.create_requirement(&fam, eid, new("OQ test of OOS flagging", "QC laboratory")).await.unwrap();
        t.app.create_link(&fam, eid, accord_app::trace::NewLink { from_id: b.id, to_id: a.id, kind: "verifies".into() }).await.unwrap();
        let r = t.send(Request::builder().method(Method::POST)
            .uri(format!("/api/v1/engagements/{eid}/imports/reqif?functional_area=QC%20laboratory&name=labels.reqif"))
            .header("authorization", format!("Bearer {tok}"))
            .body(Body::from(RICH)).unwrap()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

        let path = format!("/api/v1/engagements/{eid}/exports/specification.html");
        let d = fetch(&t, &path, &tok, "en").await;
        assert_eq!(d.status, StatusCode::OK, "{}", d.html);
        assert!(d.disposition.starts_with("inline"), "{}", d.disposition);
        // Numbered, in order, with their links both ways.
        let pos = |s: &str| d.html.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(pos("1.1 <span class=\"key\">REQ-0001</span> Flag OOS results") < pos("1.2 <span class=\"key\">REQ-0002</span>"));
        assert!(d.html.contains("1.3 <span class=\"key\">REQ-0003</span> Print labels"));
        assert!(d.html.contains(r##"verified by:</span> <a href="#REQ-0002">REQ-0002</a>"##), "the verification shows on the verified requirement");
        // The tool's formatting stays; what could run does not.
        assert!(d.html.contains("It carries the <b>LIMS ID</b>."), "rich text kept");
        for bad in ["onclick", "javascript:", "<script", "alert("] {
            assert!(!d.html.contains(bad), "{bad} reached the document");
        }
        // The ReqIF attribute the requirement has no field for is there too.
        assert!(d.html.contains("GxP risk") && d.html.contains(">High<"));
        // The document's one stylesheet is the only thing its policy allows.
        let style = &d.html[d.html.find("<style>").unwrap() + 7..d.html.find("</style>").unwrap()];
        let allowed = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style));
        assert!(d.csp.contains(&format!("style-src 'sha256-{allowed}'")) && d.csp.starts_with("default-src 'none'"), "{}", d.csp);
        // Every printed page carries the baseline and the content hash.
        let hash = hash_of(&d.html);
        assert!(style.contains("@top-right") && style.contains(&hash), "{style}");
        // Same content, same hash; an edit changes it.
        assert_eq!(hash_of(&fetch(&t, &path, &tok, "en").await.html), hash);
        t.app.update_requirement(&fam, eid, a.id, a.version, accord_app::requirement::RequirementPatch { title: Some("Flag every OOS result".into()), ..Default::default() }).await.unwrap();
        let after = fetch(&t, &path, &tok, "en").await;
        assert_ne!(hash_of(&after.html), hash);
        assert!(after.html.contains("Flag every OOS result"));
        // An edited imported statement is shown as edited, not as the tool wrote it.
        let list = t.get(&format!("/api/v1/engagements/{eid}/requirements?q=Print"), &tok).await;
        let c = &list.body["items"][0];
        let cid: uuid::Uuid = c["id"].as_str().unwrap().parse().unwrap();
        t.app.update_requirement(&fam, eid, cid, c["version"].as_i64().unwrap(), accord_app::requirement::RequirementPatch { statement: Some("Print two labels at receipt.".into()), ..Default::default() }).await.unwrap();
        let edited = fetch(&t, &path, &tok, "en").await.html;
        assert!(edited.contains("<p class=\"statement\">Print two labels at receipt.</p>"), "the edit is the statement");
        // The tool's words are not printed beside it as a second, older statement.
        assert!(!edited.contains("<th scope=\"row\">ReqIF.Text</th>") && !edited.contains("Print a label at"), "the stale statement is not shown");
        // The reader's language, and a download when asked.
        let zh = fetch(&t, &format!("{path}?download=true"), &tok, "zh-CN").await;
        assert!(zh.html.contains("需求规格说明书") && zh.html.contains("<html lang=\"zh-CN\">"), "{}", &zh.html[..400]);
        assert!(zh.disposition.starts_with("attachment") && zh.disposition.contains("-specification.html"), "{}", zh.disposition);

        // The matrix: every requirement, what verifies it, and how many nothing verifies.
        let m = fetch(&t, &format!("/api/v1/engagements/{eid}/exports/traceability.html"), &tok, "en").await;
        assert_eq!(m.status, StatusCode::OK);
        let row = m.html.split("<tr>").find(|r| r.contains(">REQ-0001<")).unwrap();
        assert!(row.contains("<td>REQ-0002</td>"), "{row}");
        assert!(m.html.contains("Not verified by anything</dt><dd>2</dd>"), "two of three are unverified");
        assert!(m.csp.contains("style-src 'sha256-"));

        // Outsiders learn nothing.
        let c2 = t.login(email("c2_admin")).await;
        assert_eq!(fetch(&t, &path, &c2, "en").await.status, StatusCode::NOT_FOUND);
    }
}
