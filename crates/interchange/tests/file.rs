//! A large input file is read in parts side by side; the bytes must be the file's, whatever
//! the number of parts and however the length divides.

use accord_interchange::file;

fn scratch(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_file_read_in_parts_is_the_file() {
    // Not a multiple of any part count tried, with every byte value at every place.
    let bytes: Vec<u8> = (0..100_003u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = scratch("parts.bin", &bytes);
    for threads in 1..6 {
        let read = file::read_with(&path, threads, 1).unwrap();
        assert!(read == bytes, "{threads} parts: the bytes differ");
    }
    assert!(file::read(&path).unwrap() == bytes);
    // Empty, and smaller than the parts.
    let empty = scratch("empty.bin", b"");
    assert!(file::read_with(&empty, 4, 1).unwrap().is_empty());
    let tiny = scratch("tiny.bin", b"ab");
    assert_eq!(file::read_with(&tiny, 4, 1).unwrap(), b"ab");
}

#[test]
fn a_missing_file_is_an_error_that_says_so() {
    let path = std::env::temp_dir().join("accord-file-that-is-not-there.reqif");
    let e = file::read_with(&path, 4, 1).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
}
