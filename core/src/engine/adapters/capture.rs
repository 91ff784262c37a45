//! What a process node keeps of one output stream for later nodes: its last `maxCaptureBytes`,
//! starting at a line boundary. Every line still goes out as `node_log` (and into the run's
//! history); only this copy is bounded, so a node printing millions of lines holds at most
//! twice the limit per stream, however long it runs.

/// Default `maxCaptureBytes`, for stdout and for stderr each.
pub(super) const DEFAULT_MAX_CAPTURE_BYTES: u64 = 1024 * 1024;

/// The tail of one stream: at most `limit` bytes once finished, at most twice that while
/// filling (compacting only when the buffer doubles keeps each byte's cost constant).
#[derive(Debug)]
pub(super) struct TailCapture {
    limit: usize,
    buf: Vec<u8>,
    dropped: u64,
}

/// A finished capture: the text kept and how many bytes before it were let go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Captured {
    /// The kept tail, lossily decoded.
    pub text: String,
    /// Bytes printed before the kept tail (0 when everything was kept).
    pub dropped: u64,
}

impl TailCapture {
    /// An empty capture keeping at most `limit` bytes.
    pub(super) fn new(limit: u64) -> Self {
        Self {
            limit: usize::try_from(limit).unwrap_or(usize::MAX).max(1),
            buf: Vec::new(),
            dropped: 0,
        }
    }

    /// Appends what the stream printed next.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        if bytes.len() >= self.limit {
            let keep_from = bytes.len() - self.limit;
            self.dropped += (self.buf.len() + keep_from) as u64;
            self.buf.clear();
            self.buf.extend_from_slice(&bytes[keep_from..]);
            return;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > self.limit.saturating_mul(2) {
            self.cut_to_limit();
        }
    }

    /// The kept tail. When something was let go, the text starts after the first line break
    /// in what is left (a partial first line would read as a different line), or failing that
    /// at a character boundary.
    pub(super) fn finish(mut self) -> Captured {
        if self.buf.len() > self.limit {
            self.cut_to_limit();
        }
        if self.dropped > 0 {
            let start = match self.buf.iter().position(|&b| b == b'\n') {
                Some(i) if i + 1 < self.buf.len() => i + 1,
                _ => self
                    .buf
                    .iter()
                    .position(|&b| b & 0b1100_0000 != 0b1000_0000)
                    .unwrap_or(self.buf.len()),
            };
            self.buf.drain(..start);
            self.dropped += start as u64;
        }
        Captured {
            text: String::from_utf8_lossy(&self.buf).into_owned(),
            dropped: self.dropped,
        }
    }

    fn cut_to_limit(&mut self) {
        let cut = self.buf.len() - self.limit;
        self.buf.drain(..cut);
        self.dropped += cut as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(limit: u64, pieces: &[&[u8]]) -> Captured {
        let mut capture = TailCapture::new(limit);
        for piece in pieces {
            capture.push(piece);
        }
        capture.finish()
    }

    #[test]
    fn keeps_everything_under_the_limit() {
        let got = capture(100, &[b"one\n", b"two\n"]);
        assert_eq!(got.text, "one\ntwo\n");
        assert_eq!(got.dropped, 0);
    }

    #[test]
    fn keeps_the_last_whole_lines_and_counts_what_was_let_go() {
        let lines: Vec<String> = (1..=1000).map(|i| format!("line {i}\n")).collect();
        let pieces: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let total: usize = lines.iter().map(String::len).sum();
        let got = capture(64, &pieces);
        assert!(got.text.len() <= 64, "{}", got.text.len());
        assert!(
            got.text.starts_with("line "),
            "starts mid-line: {:?}",
            got.text
        );
        assert!(got.text.ends_with("line 1000\n"));
        assert_eq!(got.dropped as usize + got.text.len(), total);
    }

    #[test]
    fn a_piece_longer_than_the_limit_keeps_its_end() {
        let got = capture(4, &[b"ab\n", b"0123456789"]);
        assert_eq!(got.text, "6789");
        assert_eq!(got.dropped, 9);
    }

    #[test]
    fn never_starts_inside_a_character() {
        // "é" is two bytes; a cut after its first byte must not leave a replacement character.
        let got = capture(3, &["aéé".as_bytes()]);
        assert_eq!(got.text, "é");
        assert_eq!(got.dropped, 3);
    }

    #[test]
    fn holds_at_most_twice_the_limit_while_filling() {
        let mut capture = TailCapture::new(1000);
        for _ in 0..100_000 {
            capture.push(b"0123456789\n");
            assert!(capture.buf.len() <= 2000);
        }
        assert_eq!(capture.finish().text.len(), 1000 - 1000 % 11);
    }
}
