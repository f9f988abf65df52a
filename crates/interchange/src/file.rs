//! Reading an input file whole, a large one on several cores.

use std::path::Path;

/// A file at least this large is read in parts side by side.
const PARALLEL_FROM: u64 = 8 << 20;

/// Reads a whole file, as [`std::fs::read`] does. A large one is read in parts on as many
/// cores as there are (up to 4): most of the time reading a file that is in the page cache
/// goes to the memory the bytes are copied into being handed to the process page by page,
/// and the parts are handed over side by side.
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    read_with(path, threads, PARALLEL_FROM)
}

#[doc(hidden)]
pub fn read_with(path: &Path, threads: usize, parallel_from: u64) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::io::Read;
        use std::os::unix::fs::FileExt;
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if threads < 2 || len < parallel_from.max(1) {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            return Ok(bytes);
        }
        let len = usize::try_from(len).map_err(std::io::Error::other)?;
        let mut bytes = vec![0u8; len];
        let part = len.div_ceil(threads);
        let read: std::io::Result<()> = std::thread::scope(|scope| {
            let file = &file;
            let handles: Vec<_> = bytes
                .chunks_mut(part)
                .enumerate()
                .map(|(i, chunk)| scope.spawn(move || file.read_exact_at(chunk, (i * part) as u64)))
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
        });
        match read {
            // What was written after the length was taken, as `std::fs::read` would.
            Ok(()) => {
                use std::io::Seek;
                file.seek(std::io::SeekFrom::Start(len as u64))?;
                file.read_to_end(&mut bytes)?;
                Ok(bytes)
            }
            // Shorter than it was (being written?): read it as it is now.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => std::fs::read(path),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (threads, parallel_from);
        std::fs::read(path)
    }
}
