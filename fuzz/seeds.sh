#!/usr/bin/env bash
# Makes the starting corpus of each fuzz target in fuzz/corpus/TARGET (not committed) from the
# project's own fixtures and, when ../shared is beside the checkout, the shared ReqIF corpus's
# files (read from there, not kept in the project: libFuzzer is given that directory as a second
# corpus, see README.md). Run from anywhere; running it again adds nothing twice.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus=$here/corpus
mkdir -p "$corpus"/{reqif,reqifz,csv,xhtml}

cp "$root"/crates/interchange/tests/data/*.reqif "$corpus/reqif/"

# Each line of the stored-XSS payloads the browser tests use is a piece of rich text.
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "$corpus/xhtml/payload-$n"
done < "$root/crates/cli/tests/data/xss-payloads.txt"
printf '%s' '<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml"><xhtml:p>Sample <xhtml:b>labels</xhtml:b> print <xhtml:a href="https://example.com">here</xhtml:a>.</xhtml:p><xhtml:object data="files/flow.png" type="image/png">flow</xhtml:object><xhtml:ul><xhtml:li>one</xhtml:li></xhtml:ul><xhtml:table><xhtml:tr><xhtml:td>1</xhtml:td></xhtml:tr></xhtml:table></xhtml:div>' > "$corpus/xhtml/reqif-div"

printf '\xef\xbb\xbfkey,title,statement\r\nREQ-0001,"Label, printed","Two\nlines ""quoted"""\r\n,New,'"'"'=1+2\r\n' > "$corpus/csv/comma"
printf 'Titel;Beschreibung;Bereich\nProbe;Die Probe wird erfasst;QC\n' > "$corpus/csv/semicolon"

# A .reqifz of the test suite's small document and a picture.
if command -v python3 > /dev/null; then
    python3 - "$root/crates/interchange/tests/data/small.reqif" "$corpus/reqifz/small.reqifz" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "small.reqif")
    z.writestr("files/flow.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
PY
fi

shared=$root/../shared/reqif-corpus
if [ -d "$shared" ]; then
    echo "seeds made in $corpus; also give libFuzzer $shared (see README.md)"
else
    echo "seeds made in $corpus (no ../shared/reqif-corpus beside the checkout: the project's own only)"
fi
