//! Every ReqIF file of the shared corpus (30 files from 10 tools, ../shared/reqif-corpus) is
//! read with the counts its manifest gives, and survives a round trip: read, write, read again
//! gives the same model. Skipped, with a message, where ../shared is absent.

use accord_interchange::reqif::{self, zip, ReqIf};
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

/// The documents of a corpus file (one, or each `.reqif` of a `.reqifz`).
fn documents(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    if zip::is_zip(bytes) {
        zip::unpack(bytes, 1 << 30).expect("unpack").documents
    } else {
        vec![("".into(), bytes.to_vec())]
    }
}

#[test]
fn every_corpus_file_reads_with_its_manifest_counts_and_round_trips() {
    let Some(dir) = corpus() else { return };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut files = 0;
    let mut report = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, objects, relations, specifications) = (
            cols[0],
            cols[3].parse::<usize>().unwrap(),
            cols[4].parse::<usize>().unwrap(),
            cols[5].parse::<usize>().unwrap(),
        );
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let mut counts = (0, 0, 0);
        let mut warnings = 0;
        for (member, doc) in documents(&bytes) {
            let first = reqif::read(&doc).unwrap_or_else(|e| panic!("{name} {member}: {e}"));
            // On one core, and with the spec objects cut into as many pieces as will read:
            // the same model and the same warnings.
            let one = reqif::read_with(&doc, 1, usize::MAX).unwrap().0;
            assert!(
                one == first,
                "{name} {member}: one core reads it differently"
            );
            let (pieces, _) = reqif::read_with(&doc, 4, 1).unwrap();
            assert!(
                pieces == first,
                "{name} {member}: read in pieces, it differs"
            );
            warnings += first.warnings.len();
            let m: &ReqIf = &first.reqif;
            counts.0 += m.spec_objects.len();
            counts.1 += m.spec_relations.len();
            counts.2 += m.specifications.len();
            let written = reqif::write(m);
            let second = reqif::read(written.as_bytes()).unwrap_or_else(|e| {
                panic!("{name} {member}: the written file does not read back: {e}")
            });
            assert_eq!(
                &second.reqif, m,
                "{name} {member}: the round trip changed the model"
            );
            assert_eq!(
                second.warnings.len(),
                first.warnings.len(),
                "{name} {member}: {:?}",
                second.warnings
            );
        }
        assert_eq!(
            counts,
            (objects, relations, specifications),
            "{name}: (spec objects, relations, specifications) against the manifest"
        );
        report.push(format!("{name}: {counts:?}, {warnings} warnings"));
        files += 1;
    }
    assert_eq!(files, 30);
    eprintln!("{}", report.join("\n"));
}
