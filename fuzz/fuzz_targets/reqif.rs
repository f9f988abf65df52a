//! The ReqIF reader on any bytes. It must answer without panicking; reading a `SPEC-OBJECTS`
//! section in pieces on two cores must give exactly what one core gives (the same model, the
//! same warnings in the same order, or the same error); and whatever it accepts must write back
//! to a document that reads as the same model.
#![no_main]

use accord_interchange::reqif;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let one = reqif::read_with(data, 1, usize::MAX).map(|(read, _)| read);
    // A threshold of one byte cuts any section with two spec objects or more into pieces.
    let pieces = reqif::read_with(data, 2, 1).map(|(read, _)| read);
    assert_eq!(
        one, pieces,
        "one core and pieces read the document differently"
    );
    if let Ok(read) = one {
        let written = reqif::write(&read.reqif);
        let again = reqif::read(written.as_bytes())
            .unwrap_or_else(|e| panic!("what was read writes back to what does not read: {e}"));
        assert_eq!(again.reqif, read.reqif, "written back, the model changed");
    }
});
