//! A bounded GGUF header reader: the metadata key/values only, never the tensors.
//!
//! Layout (little-endian): magic `GGUF`, version (u32, 2 or 3), tensor count (u64), metadata
//! count (u64), then per entry a string key, a u32 value type and the value. Strings are a u64
//! length and UTF-8 bytes; arrays are an element type, a u64 count and the elements. Arrays are
//! skipped (tokenizer vocabularies are large); scalars are kept.

use std::collections::BTreeMap;
use std::io::Read;

/// The most metadata bytes read before a file is refused.
pub const MAX_METADATA_BYTES: u64 = 64 * 1024 * 1024;
/// The most metadata entries accepted.
const MAX_KV_COUNT: u64 = 1 << 20;
/// The most tensors accepted.
const MAX_TENSOR_COUNT: u64 = 1 << 24;
/// The deepest nesting of arrays accepted.
const MAX_ARRAY_DEPTH: u32 = 4;

/// Why a GGUF header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// The file ended inside the header.
    #[error("the file is truncated inside its GGUF header")]
    Truncated,
    /// Reading failed.
    #[error("reading the GGUF header: {0}")]
    Io(std::io::Error),
    /// The file does not start with `GGUF`.
    #[error("not a GGUF file (bad magic)")]
    BadMagic,
    /// A GGUF version this reader does not know.
    #[error("unsupported GGUF version {0} (2 and 3 are supported)")]
    UnsupportedVersion(u32),
    /// The header is malformed or exceeds a limit.
    #[error("invalid GGUF header: {0}")]
    Invalid(String),
}

impl From<std::io::Error> for GgufError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Self::Truncated
        } else {
            Self::Io(e)
        }
    }
}

/// A scalar metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum GgufValue {
    /// Any unsigned integer type.
    Uint(u64),
    /// Any signed integer type.
    Int(i64),
    /// `f32` or `f64`.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string.
    Str(String),
    /// An array (skipped; only its length is kept).
    Array(u64),
}

impl GgufValue {
    /// The value as an unsigned integer, when it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Uint(v) => Some(*v),
            Self::Int(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    /// The value as text, when it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A parsed GGUF header.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufHeader {
    /// The format version (2 or 3).
    pub version: u32,
    /// How many tensors the file holds.
    pub tensor_count: u64,
    /// Every metadata entry; arrays appear as [`GgufValue::Array`].
    pub metadata: BTreeMap<String, GgufValue>,
}

impl GgufHeader {
    /// `general.architecture`.
    pub fn architecture(&self) -> Option<&str> {
        self.metadata
            .get("general.architecture")
            .and_then(GgufValue::as_str)
    }

    /// `general.name`.
    pub fn name(&self) -> Option<&str> {
        self.metadata
            .get("general.name")
            .and_then(GgufValue::as_str)
    }

    /// `general.file_type` as a quantization name (`Q4_K_M`, …).
    pub fn quantization(&self) -> Option<String> {
        let ty = self.metadata.get("general.file_type")?.as_u64()?;
        Some(file_type_name(ty))
    }

    /// `<arch>.context_length`.
    pub fn context_length(&self) -> Option<u32> {
        let key = format!("{}.context_length", self.architecture()?);
        u32::try_from(self.metadata.get(&key)?.as_u64()?).ok()
    }

    /// `general.size_label`, else `general.parameter_count` written like `1.2B`.
    pub fn parameters(&self) -> Option<String> {
        if let Some(label) = self
            .metadata
            .get("general.size_label")
            .and_then(GgufValue::as_str)
        {
            return Some(label.to_owned());
        }
        let count = self.metadata.get("general.parameter_count")?.as_u64()?;
        Some(parameter_label(count))
    }
}

/// A parameter count as `270M`, `1.2B`, …
pub fn parameter_label(count: u64) -> String {
    let n = count as f64;
    let (value, unit) = if n >= 1e9 {
        (n / 1e9, "B")
    } else if n >= 1e6 {
        (n / 1e6, "M")
    } else if n >= 1e3 {
        (n / 1e3, "K")
    } else {
        return count.to_string();
    };
    let text = format!("{value:.1}");
    format!("{}{unit}", text.strip_suffix(".0").unwrap_or(&text))
}

/// llama.cpp's `llama_ftype` numbers as names.
pub fn file_type_name(ty: u64) -> String {
    let name = match ty {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        other => return format!("type {other}"),
    };
    name.to_owned()
}

/// Reads a GGUF header, consuming at most [`MAX_METADATA_BYTES`] (plus the fixed prefix).
pub fn read_header(reader: impl Read) -> Result<GgufHeader, GgufError> {
    let mut r = Bounded {
        inner: reader,
        left: MAX_METADATA_BYTES,
    };
    let mut magic = [0u8; 4];
    r.exact(&mut magic)?;
    if &magic != b"GGUF" {
        return Err(GgufError::BadMagic);
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(GgufError::UnsupportedVersion(version));
    }
    let tensor_count = r.u64()?;
    if tensor_count > MAX_TENSOR_COUNT {
        return Err(GgufError::Invalid(format!(
            "{tensor_count} tensors is not plausible"
        )));
    }
    let kv_count = r.u64()?;
    if kv_count > MAX_KV_COUNT {
        return Err(GgufError::Invalid(format!(
            "{kv_count} metadata entries is not plausible"
        )));
    }
    let mut metadata = BTreeMap::new();
    for _ in 0..kv_count {
        let key = r.string()?;
        let ty = r.u32()?;
        let value = r.value(ty, 0)?;
        metadata.insert(key, value);
    }
    Ok(GgufHeader {
        version,
        tensor_count,
        metadata,
    })
}

/// A reader that refuses to go past a byte budget.
struct Bounded<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Bounded<R> {
    fn take(&mut self, n: u64) -> Result<(), GgufError> {
        if n > self.left {
            return Err(GgufError::Invalid(format!(
                "metadata larger than {} MiB",
                MAX_METADATA_BYTES / (1024 * 1024)
            )));
        }
        self.left -= n;
        Ok(())
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<(), GgufError> {
        self.take(buf.len() as u64)?;
        self.inner.read_exact(buf)?;
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), GgufError> {
        self.take(n)?;
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())?;
        if copied < n {
            return Err(GgufError::Truncated);
        }
        Ok(())
    }

    fn u8(&mut self) -> Result<u8, GgufError> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    fn u16(&mut self) -> Result<u16, GgufError> {
        let mut b = [0u8; 2];
        self.exact(&mut b)?;
        Ok(u16::from_le_bytes(b))
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn string(&mut self) -> Result<String, GgufError> {
        let len = self.u64()?;
        self.take(len)?;
        // The budget check above bounds `len`, so this allocation is bounded too.
        let mut bytes = Vec::new();
        (&mut self.inner).take(len).read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < len {
            return Err(GgufError::Truncated);
        }
        String::from_utf8(bytes).map_err(|_| GgufError::Invalid("a string is not UTF-8".into()))
    }

    /// Reads one value of type `ty`; arrays are skipped element by element.
    fn value(&mut self, ty: u32, depth: u32) -> Result<GgufValue, GgufError> {
        Ok(match ty {
            0 => GgufValue::Uint(self.u8()?.into()),
            1 => GgufValue::Int(i8::from_le_bytes([self.u8()?]).into()),
            2 => GgufValue::Uint(self.u16()?.into()),
            3 => GgufValue::Int(i16::from_le_bytes(self.u16()?.to_le_bytes()).into()),
            4 => GgufValue::Uint(self.u32()?.into()),
            5 => GgufValue::Int(i32::from_le_bytes(self.u32()?.to_le_bytes()).into()),
            6 => GgufValue::Float(f32::from_bits(self.u32()?).into()),
            7 => GgufValue::Bool(self.u8()? != 0),
            8 => GgufValue::Str(self.string()?),
            9 => {
                if depth >= MAX_ARRAY_DEPTH {
                    return Err(GgufError::Invalid("arrays nested too deeply".into()));
                }
                let elem = self.u32()?;
                let count = self.u64()?;
                match fixed_size(elem) {
                    Some(size) => {
                        let bytes = count.checked_mul(size).ok_or_else(|| {
                            GgufError::Invalid(format!("an array of {count} elements"))
                        })?;
                        self.skip(bytes)?;
                    }
                    None if elem == 8 || elem == 9 => {
                        for _ in 0..count {
                            // Every element costs at least 8 bytes, so the budget ends this loop.
                            let _skipped = self.value(elem, depth + 1)?;
                        }
                    }
                    None => {
                        return Err(GgufError::Invalid(format!("unknown value type {elem}")));
                    }
                }
                GgufValue::Array(count)
            }
            10 => GgufValue::Uint(self.u64()?),
            11 => GgufValue::Int(i64::from_le_bytes(self.u64()?.to_le_bytes())),
            12 => GgufValue::Float(f64::from_bits(self.u64()?)),
            other => return Err(GgufError::Invalid(format!("unknown value type {other}"))),
        })
    }
}

/// The byte size of a fixed-size value type.
fn fixed_size(ty: u32) -> Option<u64> {
    match ty {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny GGUF writer for tests.
    #[derive(Default)]
    pub(crate) struct Writer {
        kvs: Vec<u8>,
        count: u64,
    }

    impl Writer {
        fn key(&mut self, key: &str, ty: u32) {
            self.kvs.extend((key.len() as u64).to_le_bytes());
            self.kvs.extend(key.as_bytes());
            self.kvs.extend(ty.to_le_bytes());
            self.count += 1;
        }

        pub(crate) fn string(mut self, key: &str, value: &str) -> Self {
            self.key(key, 8);
            self.kvs.extend((value.len() as u64).to_le_bytes());
            self.kvs.extend(value.as_bytes());
            self
        }

        pub(crate) fn u32(mut self, key: &str, value: u32) -> Self {
            self.key(key, 4);
            self.kvs.extend(value.to_le_bytes());
            self
        }

        pub(crate) fn u64(mut self, key: &str, value: u64) -> Self {
            self.key(key, 10);
            self.kvs.extend(value.to_le_bytes());
            self
        }

        pub(crate) fn f32(mut self, key: &str, value: f32) -> Self {
            self.key(key, 6);
            self.kvs.extend(value.to_le_bytes());
            self
        }

        pub(crate) fn string_array(mut self, key: &str, items: &[&str]) -> Self {
            self.key(key, 9);
            self.kvs.extend(8u32.to_le_bytes());
            self.kvs.extend((items.len() as u64).to_le_bytes());
            for item in items {
                self.kvs.extend((item.len() as u64).to_le_bytes());
                self.kvs.extend(item.as_bytes());
            }
            self
        }

        pub(crate) fn i32_array(mut self, key: &str, items: &[i32]) -> Self {
            self.key(key, 9);
            self.kvs.extend(5u32.to_le_bytes());
            self.kvs.extend((items.len() as u64).to_le_bytes());
            for item in items {
                self.kvs.extend(item.to_le_bytes());
            }
            self
        }

        pub(crate) fn finish(self, version: u32) -> Vec<u8> {
            let mut out = b"GGUF".to_vec();
            out.extend(version.to_le_bytes());
            out.extend(3u64.to_le_bytes());
            out.extend(self.count.to_le_bytes());
            out.extend(self.kvs);
            // Stand-in tensor data the reader must not touch.
            out.extend([0xAB; 64]);
            out
        }
    }

    pub(crate) fn sample() -> Vec<u8> {
        Writer::default()
            .string("general.architecture", "gemma3")
            .string("general.name", "Gemma 3 270m It")
            .u32("general.file_type", 15)
            .string("general.size_label", "270M")
            .u32("gemma3.context_length", 32768)
            .f32("gemma3.rope.freq_base", 10000.0)
            .string_array("tokenizer.ggml.tokens", &["<pad>", "<eos>", "hello"])
            .i32_array("tokenizer.ggml.token_type", &[3, 3, 1])
            .finish(3)
    }

    #[test]
    fn reads_the_metadata_of_a_written_file() {
        let header = read_header(sample().as_slice()).unwrap();
        assert_eq!(header.version, 3);
        assert_eq!(header.tensor_count, 3);
        assert_eq!(header.architecture(), Some("gemma3"));
        assert_eq!(header.name(), Some("Gemma 3 270m It"));
        assert_eq!(header.quantization().as_deref(), Some("Q4_K_M"));
        assert_eq!(header.context_length(), Some(32768));
        assert_eq!(header.parameters().as_deref(), Some("270M"));
        assert_eq!(
            header.metadata.get("tokenizer.ggml.tokens"),
            Some(&GgufValue::Array(3))
        );
        assert_eq!(
            header.metadata.get("gemma3.rope.freq_base"),
            Some(&GgufValue::Float(10000.0))
        );
    }

    #[test]
    fn parameter_count_is_used_without_a_size_label() {
        let bytes = Writer::default()
            .string("general.architecture", "llama")
            .u64("general.parameter_count", 1_235_814_400)
            .u32("general.file_type", 7)
            .finish(2);
        let header = read_header(bytes.as_slice()).unwrap();
        assert_eq!(header.parameters().as_deref(), Some("1.2B"));
        assert_eq!(header.quantization().as_deref(), Some("Q8_0"));
        assert_eq!(header.context_length(), None);
        assert_eq!(parameter_label(270_000_000), "270M");
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample();
        let header_len = bytes.len() - 64;
        for cut in 0..header_len {
            assert!(
                read_header(&bytes[..cut]).is_err(),
                "cut at {cut} parsed as a header"
            );
        }
    }

    #[test]
    fn corrupt_headers_are_refused() {
        assert!(matches!(
            read_header(&b"GGML\x03\0\0\0"[..]),
            Err(GgufError::BadMagic)
        ));
        let mut v1 = sample();
        v1[4] = 1;
        assert!(matches!(
            read_header(v1.as_slice()),
            Err(GgufError::UnsupportedVersion(1))
        ));
        // An absurd metadata count.
        let mut absurd = sample();
        absurd[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(
            read_header(absurd.as_slice()),
            Err(GgufError::Invalid(_))
        ));
        // A string that claims to be 1 TiB long is refused before any allocation.
        let mut huge = b"GGUF".to_vec();
        huge.extend(3u32.to_le_bytes());
        huge.extend(0u64.to_le_bytes());
        huge.extend(1u64.to_le_bytes());
        huge.extend((1u64 << 40).to_le_bytes());
        assert!(matches!(
            read_header(huge.as_slice()),
            Err(GgufError::Invalid(_))
        ));
        // An array of u64::MAX u32s.
        let mut arr = b"GGUF".to_vec();
        arr.extend(3u32.to_le_bytes());
        arr.extend(0u64.to_le_bytes());
        arr.extend(1u64.to_le_bytes());
        arr.extend(1u64.to_le_bytes());
        arr.extend(b"k");
        arr.extend(9u32.to_le_bytes());
        arr.extend(4u32.to_le_bytes());
        arr.extend(u64::MAX.to_le_bytes());
        assert!(matches!(
            read_header(arr.as_slice()),
            Err(GgufError::Invalid(_))
        ));
        // An unknown value type.
        let mut unknown = b"GGUF".to_vec();
        unknown.extend(3u32.to_le_bytes());
        unknown.extend(0u64.to_le_bytes());
        unknown.extend(1u64.to_le_bytes());
        unknown.extend(1u64.to_le_bytes());
        unknown.extend(b"k");
        unknown.extend(99u32.to_le_bytes());
        assert!(matches!(
            read_header(unknown.as_slice()),
            Err(GgufError::Invalid(_))
        ));
    }
}
