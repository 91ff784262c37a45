//! The built-in detectors: credentials, e-mail addresses, IP addresses and hostnames.
//!
//! Each reports [`Finding`]s (a byte span and a kind); choosing between overlapping findings
//! is `overlap`'s job. The detectors lean towards what developers paste into a prompt: file
//! names (`src/main.rs`, `index.d.ts`, `README.md`), versions (`v1.2.3`), commands
//! (`cargo test -p flow-core`), code (`logger.info(…)`, `password: String`) and Flow templates
//! must come through untouched, so hostnames need a top-level domain from a curated list (one
//! that is not also a common file extension), credentials need a key that names a secret, and
//! values that are references rather than secrets (`$TOKEN`, `{{input.key}}`, `<your-key>`,
//! `null`, type names) are left alone. Loopback addresses (`127.0.0.0/8`, `::1`), the
//! unspecified addresses (`0.0.0.0`, `::`) and `localhost` stay: they identify nothing.
//!
//! Every pattern is linear-time (the regex crate) and uses ASCII word boundaries, which the
//! fast DFA engine handles on any text; the one multi-line shape (PEM blocks) is paired by
//! hand rather than with a lazy `[\s\S]*?`, which could rescan the text once per marker.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Kind of e-mail addresses.
pub const EMAIL: &str = "EMAIL";
/// Kind of IPv4 and IPv6 addresses.
pub const IP_ADDRESS: &str = "IP_ADDRESS";
/// Kind of hostnames (fully qualified names and the host of any URL).
pub const HOSTNAME: &str = "HOSTNAME";
/// Kind of passwords, secrets, API keys, basic credentials and private keys.
pub const SECRET: &str = "SECRET";
/// Kind of access tokens: bearer tokens, JWTs and the well-known token shapes.
pub const TOKEN: &str = "TOKEN";

/// One span of text a detector (or a user rule) wants replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Finding<'k> {
    /// Byte offset of the first byte.
    pub(super) start: usize,
    /// Byte offset just past the last byte.
    pub(super) end: usize,
    /// The placeholder kind, e.g. `EMAIL`.
    pub(super) kind: &'k str,
    /// Credentials win every overlap, whatever their length.
    pub(super) credential: bool,
    /// Tie-breaker between findings of the same span: lower wins.
    pub(super) rank: u16,
}

impl Finding<'_> {
    pub(super) fn len(&self) -> usize {
        self.end - self.start
    }
}

// Ranks, most specific first: a token shape says more than "the value of a key called token".
const RANK_PEM: u16 = 0;
const RANK_TOKEN_SHAPE: u16 = 1;
const RANK_AUTHORIZATION: u16 = 2;
const RANK_URL_PASSWORD: u16 = 3;
const RANK_KEY_VALUE: u16 = 4;
const RANK_YAML: u16 = 5;
const RANK_FLAG: u16 = 6;
const RANK_BEARER: u16 = 7;
/// User rules rank between credentials and the other built-ins: the first rule is this.
pub(super) const RANK_FIRST_RULE: u16 = 100;
const RANK_EMAIL: u16 = 1000;
const RANK_URL_HOST: u16 = 1001;
const RANK_IP: u16 = 1002;
const RANK_HOSTNAME: u16 = 1003;

/// Top-level domains that make a dotted name a hostname. Curated: real domains that are also
/// everyday file extensions or code members (`.rs`, `.md`, `.py`, `.sh`, `.pl`, `.so`, `.in`,
/// `.zip`, `.app`, `.info`, `.name`, `.id`, `.is`, `.ca`, `.int` as in `np.int`, `.cloud` as in
/// `google.cloud`, `.home` as in `user.home`, …) are left out on purpose.
const GENERIC_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "mil", "io", "ai", "dev", "co", "me", "biz", "tech",
    "online", "site", "xyz", "tv", "fm", "gg", "eu", "asia", "example",
];
/// Country codes seen most in infrastructure names.
const COUNTRY_TLDS: &[&str] = &[
    "us", "uk", "de", "fr", "nl", "be", "ch", "at", "se", "no", "dk", "fi", "ie", "it", "es", "pt",
    "cz", "hu", "ro", "bg", "gr", "tr", "ru", "ua", "jp", "cn", "kr", "tw", "hk", "sg", "au", "nz",
    "br", "mx", "ar", "za", "il", "ae",
];
/// Suffixes of names inside an organisation's network.
const INTERNAL_SUFFIXES: &[&str] = &["local", "internal", "corp", "lan", "intranet", "intra"];

/// Keys whose last word names a secret (`db_password`, `clientSecret`, `GITHUB_TOKEN`).
const SECRET_WORDS: &[&str] = &["password", "passwd", "passphrase", "secret", "token"];
/// Last words that name a secret only after another word (`DB_PASS`, `db-pwd`; a bare `PWD`
/// is the working directory and a bare `pass` is a test result).
const SECRET_SUFFIX_WORDS: &[&str] = &["pass", "pwd"];
/// Pairs of last words that name a secret (`api_key`, `AWS_SECRET_ACCESS_KEY`).
const SECRET_WORD_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("private", "key"),
    ("auth", "key"),
    ("client", "secret"),
];
/// Single-word keys ending like this name a secret (`mypassword`, `csrftoken`, `APIKEY`).
const SECRET_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
];

/// Values of a secret-named key that are not secrets themselves.
const NOT_SECRETS: &[&str] = &[
    "null",
    "none",
    "nil",
    "true",
    "false",
    "undefined",
    "yes",
    "no",
    "on",
    "off",
    "required",
    "optional",
    "redacted",
    "hidden",
    "masked",
    "string",
    "str",
    "&str",
    "&'static str",
    "number",
    "bool",
    "boolean",
    "int",
    "integer",
    "any",
    "unknown",
    "bytes",
    "secretstring",
];

/// The compiled built-in detectors, shared by every sanitizer.
#[derive(Debug)]
pub(super) struct Builtins {
    pem_begin: Regex,
    pem_end: Regex,
    pem_body_line: Regex,
    token_shapes: Regex,
    authorization: Regex,
    bearer: Regex,
    key_value: Regex,
    yaml: Regex,
    flag: Regex,
    url: Regex,
    email: Regex,
    ipv4: Regex,
    ipv6: Regex,
    hostname: Regex,
    type_like: Regex,
    /// A Flow template, `{{…}}`: never touched, so flows keep working.
    template: Regex,
    /// A placeholder, ours or placeholder-looking input text: `[KIND_n]`.
    pub(super) placeholder: Regex,
}

static BUILTINS: LazyLock<Result<Builtins, String>> = LazyLock::new(Builtins::compile);

/// The built-in detectors, compiled once; an error is a bug in a pattern below.
pub(super) fn builtins() -> Result<&'static Builtins, String> {
    BUILTINS.as_ref().map_err(Clone::clone)
}

fn re(name: &str, pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|err| format!("built-in privacy detector `{name}`: {err}"))
}

/// A key that may name a secret: an identifier holding `pass`, `pwd`, `secret`, `token` or
/// `key`, bare or quoted (JSON, Python, PHP). Keys that cannot name one do not match at all,
/// so their values never hide a later `password=` from the scan (`url=https://x?token=…`);
/// [`secret_kind`] then decides.
const KEY_NAME: &str =
    r"(?:[A-Za-z_][A-Za-z0-9_.-]*)?(?i:pass|pwd|secret|token|key)[A-Za-z0-9_.-]*";
/// A value: double- or single-quoted (escapes allowed), or a bare run that stops at
/// whitespace, quotes, separators and brackets, and does not start with `=` (`==`).
const VALUE: &str = r#"(?:"(?P<dq>(?:[^"\\\r\n]|\\.)*)"|'(?P<sq>(?:[^'\\\r\n]|\\.)*)'|(?P<bare>[^\s"'`,;&<>(){}\[\]=][^\s"'`,;&<>(){}\[\]]*))"#;
/// A flag's value: as [`VALUE`], but a bare value does not start with `-` (the next flag).
const FLAG_VALUE: &str = r#"(?:"(?P<dq>(?:[^"\\\r\n]|\\.)*)"|'(?P<sq>(?:[^'\\\r\n]|\\.)*)'|(?P<bare>[^\s"'`,;&<>(){}\[\]=-][^\s"'`,;&<>(){}\[\]]*))"#;

impl Builtins {
    fn compile() -> Result<Self, String> {
        let label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
        Ok(Self {
            pem_begin: re("pem", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")?,
            pem_end: re("pem", r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----")?,
            pem_body_line: re(
                "pem",
                r"^(?:[A-Za-z0-9+/=]+|Proc-Type:[^\r\n]*|DEK-Info:[^\r\n]*)$",
            )?,
            token_shapes: re(
                "token shapes",
                concat!(
                    r"(?-u:\b)(?:",
                    // JWT: base64url JSON header and payload (both start `{"`), signature.
                    r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
                    // AWS access key ids.
                    r"|(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?-u:\b)",
                    // GitHub tokens and fine-grained personal access tokens.
                    r"|gh[pousr]_[A-Za-z0-9]{30,255}(?-u:\b)",
                    r"|github_pat_[A-Za-z0-9_]{22,255}(?-u:\b)",
                    // GitLab, npm, Hugging Face.
                    r"|glpat-[A-Za-z0-9_-]{20,}",
                    r"|npm_[A-Za-z0-9]{36}(?-u:\b)",
                    r"|hf_[A-Za-z0-9]{30,}(?-u:\b)",
                    // Slack tokens.
                    r"|xox[abposr]-[A-Za-z0-9-]{10,}",
                    // OpenAI-style (and Anthropic) keys: sk-…, sk-proj-…, sk-ant-….
                    r"|sk-[A-Za-z0-9_-]{20,}",
                    // Stripe.
                    r"|[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}(?-u:\b)",
                    // Google API keys.
                    r"|AIza[0-9A-Za-z_-]{35}",
                    r")",
                ),
            )?,
            authorization: re(
                "authorization",
                r#"(?i)(?-u:\b)(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?P<scheme>[a-z][a-z0-9_-]*)[ \t]+(?P<value>[^\s"',;]+)"#,
            )?,
            bearer: re(
                "bearer",
                r"(?i)(?-u:\b)bearer[ \t]+(?P<value>[A-Za-z0-9._~+/-]+=*)",
            )?,
            key_value: re(
                "key-value",
                &format!(
                    r#"(?:"(?P<qkey>{KEY_NAME})"|'(?P<skey>{KEY_NAME})'|(?P<key>{KEY_NAME}))\??[ \t]*(?::=|=>|:|=)[ \t]*{VALUE}"#
                ),
            )?,
            yaml: re(
                "yaml",
                r"(?m)^[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*:[ \t]+(?P<value>[^\s\x22'#|>&*!%@`{}\[\],][^\r\n\x22'{}\[\],]*?)[ \t]*(?:[ \t]#[^\r\n]*)?\r?$",
            )?,
            flag: re(
                "flag",
                &format!(r"--(?P<flag>[A-Za-z][A-Za-z0-9-]*)[ \t]+{FLAG_VALUE}"),
            )?,
            url: re(
                "url",
                r#"(?i)(?-u:\b)[a-z][a-z0-9+.-]*://(?:(?P<user>[^\s/?#@:\[\]"'<>{}`]*)(?::(?P<pass>[^\s/?#@\[\]"'<>{}`]*))?@)?(?P<host>\[[0-9a-f:.%a-z]+\]|[^\s/?#:@\[\]"'<>{}`|\\,;()]+)"#,
            )?,
            email: re(
                "email",
                &format!(r"[A-Za-z0-9._%+-]+@{label}(?:\.{label})*\.[A-Za-z]{{2,63}}"),
            )?,
            ipv4: re(
                "ipv4",
                r"(?-u:\b)(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}(?-u:\b)",
            )?,
            ipv6: re(
                "ipv6",
                r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}",
            )?,
            hostname: re("hostname", &format!(r"{label}(?:\.{label})+"))?,
            type_like: re(
                "type names",
                r"^&?(?:'[a-z]+ )?(?:[A-Z][A-Za-z0-9]*::)*(?:Option|Secret|SecretString|SecretBox|Vec|Box|Arc|Rc|Cow|Zeroizing|String|Password|Token)(?:<.*>)?$",
            )?,
            template: re("template", r"\{\{[^{}]*\}\}")?,
            placeholder: re("placeholder", r"\[[A-Z][A-Z0-9_]*_[0-9]+\]")?,
        })
    }

    /// Appends every built-in finding in `text` to `out`.
    pub(super) fn find<'k>(&self, text: &str, out: &mut Vec<Finding<'k>>) {
        self.private_keys(text, out);
        self.token_shapes(text, out);
        self.authorization(text, out);
        self.key_values(text, out);
        self.urls(text, out);
        self.emails(text, out);
        self.ip_addresses(text, out);
        self.hostnames(text, out);
    }

    /// The byte spans of the Flow templates in `text`, in order.
    pub(super) fn templates(&self, text: &str) -> Vec<(usize, usize)> {
        self.template
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    /// PEM private key blocks, BEGIN to END; a block cut off before its END line runs to the
    /// end of its base64 body.
    fn private_keys(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        let ends: Vec<regex::Match<'_>> = self.pem_end.find_iter(text).collect();
        let mut covered_to = 0;
        for begin in self.pem_begin.find_iter(text) {
            if begin.start() < covered_to {
                continue;
            }
            let first_end = ends.partition_point(|end| end.start() < begin.end());
            let end = match ends.get(first_end) {
                Some(end) => end.end(),
                None => self.pem_body_end(text, begin.end()),
            };
            out.push(credential(begin.start(), end, SECRET, RANK_PEM));
            covered_to = end;
        }
    }

    /// Where an unterminated PEM body ends: after the last line of base64 (or PEM header)
    /// that follows `from`, blank lines between them included.
    fn pem_body_end(&self, text: &str, from: usize) -> usize {
        let mut end = from;
        let mut offset = from;
        for line in text[from..].split_inclusive('\n') {
            let content = line.trim();
            let line_start = offset;
            offset += line.len();
            if content.is_empty() {
                continue;
            }
            if !self.pem_body_line.is_match(content) {
                break;
            }
            end = line_start + line.trim_end().len();
        }
        end
    }

    fn token_shapes(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        for found in self.token_shapes.find_iter(text) {
            out.push(credential(
                found.start(),
                found.end(),
                TOKEN,
                RANK_TOKEN_SHAPE,
            ));
        }
    }

    /// `Authorization: <scheme> <value>` (Basic is a secret, any other scheme a token), and a
    /// free-standing `Bearer <token>` whose token has a digit (so "bearer authentication" is
    /// prose, not a token).
    fn authorization(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        for caps in self.authorization.captures_iter(text) {
            let (Some(scheme), Some(value)) = (caps.name("scheme"), caps.name("value")) else {
                continue;
            };
            if is_reference(value.as_str()) {
                continue;
            }
            let kind = if scheme.as_str().eq_ignore_ascii_case("basic") {
                SECRET
            } else {
                TOKEN
            };
            out.push(credential(
                value.start(),
                value.end(),
                kind,
                RANK_AUTHORIZATION,
            ));
        }
        for caps in self.bearer.captures_iter(text) {
            let Some(value) = caps.name("value") else {
                continue;
            };
            let token = value.as_str();
            if token.len() >= 8 && token.bytes().any(|b| b.is_ascii_digit()) {
                out.push(credential(value.start(), value.end(), TOKEN, RANK_BEARER));
            }
        }
    }

    /// `key=value`, `key: value`, `"key": "value"`, `key => value`, `key := value`, YAML
    /// `key: rest of the line` and `--key value`, where the key names a secret. Only the value
    /// is replaced: the key tells the model what kind of thing was there.
    fn key_values(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        let bytes = text.as_bytes();
        for caps in self.key_value.captures_iter(text) {
            let Some(key) = caps
                .name("key")
                .or_else(|| caps.name("qkey"))
                .or_else(|| caps.name("skey"))
            else {
                continue;
            };
            // A bare key must start the identifier (`xpassword` is not `password`).
            if caps.name("key").is_some() && key.start() > 0 && is_word_byte(bytes[key.start() - 1])
            {
                continue;
            }
            let Some(kind) = secret_kind(key.as_str()) else {
                continue;
            };
            let Some(value) = value_of(&caps) else {
                continue;
            };
            // `password = get_password()`: a call, not a secret.
            let bare = caps.name("bare").is_some();
            if bare && bytes.get(value.end()) == Some(&b'(') {
                continue;
            }
            if self.is_secret_value(value.as_str()) {
                out.push(credential(value.start(), value.end(), kind, RANK_KEY_VALUE));
            }
        }
        for caps in self.yaml.captures_iter(text) {
            let (Some(key), Some(value)) = (caps.name("key"), caps.name("value")) else {
                continue;
            };
            let Some(kind) = secret_kind(key.as_str()) else {
                continue;
            };
            let trimmed = value.as_str().trim_end_matches([',', ';']);
            if self.is_secret_value(trimmed) {
                out.push(credential(value.start(), value.end(), kind, RANK_YAML));
            }
        }
        for caps in self.flag.captures_iter(text) {
            let Some(flag) = caps.name("flag") else {
                continue;
            };
            if flag.start() > 2 && is_word_byte(bytes[flag.start() - 3]) {
                continue;
            }
            let Some(kind) = secret_kind(flag.as_str()) else {
                continue;
            };
            let Some(value) = value_of(&caps) else {
                continue;
            };
            if self.is_secret_value(value.as_str()) {
                out.push(credential(value.start(), value.end(), kind, RANK_FLAG));
            }
        }
    }

    /// Whether the value of a secret-named key looks like a secret rather than a reference
    /// (`$DB_PASSWORD`, `${{ secrets.X }}`, `{{input.key}}`, `%KEY%`, `<your-token>`), a mask
    /// (`***`, `xxxx`), an empty or boolean-like word, a placeholder, or a type name
    /// (`password: String`, `token?: string`).
    fn is_secret_value(&self, value: &str) -> bool {
        let value = value.trim();
        if value.is_empty() || is_reference(value) {
            return false;
        }
        let lower = value.to_ascii_lowercase();
        if NOT_SECRETS.contains(&lower.as_str()) {
            return false;
        }
        let masked = value.chars().all(|c| matches!(c, '*' | '•' | '.'))
            || (value.len() >= 3 && value.chars().all(|c| c == 'x' || c == 'X'));
        !masked && !self.type_like.is_match(value)
    }

    /// URLs: the host (a hostname, or an IP address) and the password of `user:password@`.
    fn urls(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        for caps in self.url.captures_iter(text) {
            if let Some(pass) = caps.name("pass")
                && !pass.as_str().is_empty()
                && !is_reference(pass.as_str())
            {
                out.push(credential(
                    pass.start(),
                    pass.end(),
                    SECRET,
                    RANK_URL_PASSWORD,
                ));
            }
            let Some(host) = caps.name("host") else {
                continue;
            };
            let name = host.as_str();
            if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
                // `[2001:db8::1]`: the address is replaced, the brackets stay (URL syntax), so
                // the same address written bare elsewhere gets the same placeholder.
                let address = inner.split('%').next().unwrap_or(inner);
                if address
                    .parse::<Ipv6Addr>()
                    .is_ok_and(|ip| !ipv6_identifies_nothing(&ip))
                {
                    let start = host.start() + 1;
                    out.push(other(
                        start,
                        start + address.len(),
                        IP_ADDRESS,
                        RANK_URL_HOST,
                    ));
                }
                continue;
            }
            // "see https://acme.io." ends the sentence, not the host.
            let name = name.trim_end_matches('.');
            let end = host.start() + name.len();
            if let Ok(ip) = name.parse::<Ipv4Addr>() {
                if !ipv4_identifies_nothing(&ip) {
                    out.push(other(host.start(), end, IP_ADDRESS, RANK_URL_HOST));
                }
            } else if !name.is_empty() && !is_localhost(name) {
                out.push(other(host.start(), end, HOSTNAME, RANK_URL_HOST));
            }
        }
    }

    fn emails(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        let bytes = text.as_bytes();
        for found in self.email.find_iter(text) {
            let after = bytes.get(found.end()).copied();
            // `a@b.co_x` or `a@b.com-x` run on: not an address.
            if after.is_some_and(|b| is_word_byte(b) || b == b'-') {
                continue;
            }
            let local = found.as_str().split('@').next().unwrap_or_default();
            let start = found.start() + (local.len() - local.trim_start_matches('.').len());
            if local.trim_matches('.').is_empty() {
                continue;
            }
            out.push(other(start, found.end(), EMAIL, RANK_EMAIL));
        }
    }

    fn ip_addresses(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        let bytes = text.as_bytes();
        for found in self.ipv4.find_iter(text) {
            let before = found.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(found.end()).copied();
            let after_next = bytes.get(found.end() + 1).copied();
            // `1.2.3.4.5` is a version, not an address.
            if before == Some(b'.')
                || (after == Some(b'.') && after_next.is_some_and(|b| b.is_ascii_digit()))
            {
                continue;
            }
            let Ok(ip) = found.as_str().parse::<Ipv4Addr>() else {
                continue;
            };
            if !ipv4_identifies_nothing(&ip) {
                out.push(other(found.start(), found.end(), IP_ADDRESS, RANK_IP));
            }
        }
        for found in self.ipv6.find_iter(text) {
            let candidate = found.as_str();
            let before = found.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(found.end()).copied();
            // `std::fmt`, `Vec::new`, `a::b::c`: code paths, not addresses.
            if before.is_some_and(|b| is_word_byte(b) || b == b':' || b == b'.')
                || after.is_some_and(|b| is_word_byte(b) || b == b':')
            {
                continue;
            }
            if candidate.bytes().filter(u8::is_ascii_hexdigit).count() < 4 {
                continue;
            }
            let Ok(ip) = candidate.parse::<Ipv6Addr>() else {
                continue;
            };
            if !ipv6_identifies_nothing(&ip) {
                out.push(other(found.start(), found.end(), IP_ADDRESS, RANK_IP));
            }
        }
    }

    /// Dotted names ending in a listed top-level domain, not part of a path, a longer name, a
    /// file name with an extension, or a call (`logger.info(`).
    fn hostnames(&self, text: &str, out: &mut Vec<Finding<'_>>) {
        let bytes = text.as_bytes();
        for found in self.hostname.find_iter(text) {
            let start = found.start();
            let before = start.checked_sub(1).map(|i| bytes[i]);
            let protocol_relative = start >= 2 && &bytes[start - 2..start] == b"//";
            let in_path = matches!(before, Some(b'/' | b'\\')) && !protocol_relative;
            if in_path || before.is_some_and(|b| is_word_byte(b) || matches!(b, b'.' | b'-' | b'@'))
            {
                continue;
            }
            if bytes
                .get(found.end())
                .is_some_and(|&b| is_word_byte(b) || matches!(b, b'-' | b'('))
            {
                continue;
            }
            let name = found.as_str();
            let tld = name.rsplit('.').next().unwrap_or_default();
            let listed = [GENERIC_TLDS, COUNTRY_TLDS, INTERNAL_SUFFIXES]
                .iter()
                .any(|list| list.iter().any(|known| known.eq_ignore_ascii_case(tld)));
            if !listed {
                continue;
            }
            out.push(other(start, found.end(), HOSTNAME, RANK_HOSTNAME));
        }
    }
}

fn credential(start: usize, end: usize, kind: &'static str, rank: u16) -> Finding<'static> {
    Finding {
        start,
        end,
        kind,
        credential: true,
        rank,
    }
}

fn other(start: usize, end: usize, kind: &'static str, rank: u16) -> Finding<'static> {
    Finding {
        start,
        end,
        kind,
        credential: false,
        rank,
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The value group that matched: inside quotes when quoted.
fn value_of<'t>(caps: &Captures<'t>) -> Option<regex::Match<'t>> {
    caps.name("dq")
        .or_else(|| caps.name("sq"))
        .or_else(|| caps.name("bare"))
}

/// Whether a value points at a secret instead of being one: an environment or shell variable,
/// a Flow template, a Windows `%VAR%`, an `<angle placeholder>` or a `[PLACEHOLDER_n]`.
fn is_reference(value: &str) -> bool {
    value.starts_with('$')
        || value.starts_with("{{")
        || (value.len() > 2 && value.starts_with('%') && value.ends_with('%'))
        || (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('[') && value.ends_with(']'))
}

/// The placeholder kind for a key that names a secret (`TOKEN` for tokens, else `SECRET`), or
/// `None` when it names something else (`max_tokens`, `password_file`, `secretName`).
pub(super) fn secret_kind(key: &str) -> Option<&'static str> {
    let words = key_words(key);
    let last = words.last()?;
    let kind_of = |word: &str| if word == "token" { TOKEN } else { SECRET };
    if SECRET_WORDS.contains(&last.as_str()) {
        return Some(kind_of(last));
    }
    if words.len() >= 2 {
        let prev = words[words.len() - 2].as_str();
        if SECRET_SUFFIX_WORDS.contains(&last.as_str()) {
            return Some(SECRET);
        }
        if SECRET_WORD_PAIRS.contains(&(prev, last.as_str())) {
            return Some(SECRET);
        }
    }
    if words.len() == 1 {
        return SECRET_ENDINGS
            .iter()
            .find(|ending| last.ends_with(*ending))
            .map(|ending| kind_of(ending));
    }
    None
}

/// A key split into lowercase words at `_`, `-`, `.` and camelCase humps:
/// `AWS_SECRET_ACCESS_KEY` → aws, secret, access, key; `clientSecret` → client, secret.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if matches!(c, '_' | '-' | '.') {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Loopback and unspecified IPv4 addresses say nothing about anyone's network.
fn ipv4_identifies_nothing(ip: &Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_unspecified()
}

/// `::1`, `::` and IPv4-mapped loopback say nothing about anyone's network.
fn ipv6_identifies_nothing(ip: &Ipv6Addr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || ip
            .to_ipv4_mapped()
            .is_some_and(|v4| ipv4_identifies_nothing(&v4))
}

/// `localhost` and names under it (RFC 6761) always mean this machine.
fn is_localhost(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    lower == "localhost" || lower.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the built-ins find in `text`, as (matched text, kind), in text order, before any
    /// overlap is resolved.
    fn found(text: &str) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        builtins().unwrap().find(text, &mut out);
        out.sort_by_key(|f| (f.start, f.end));
        out.dedup_by_key(|f| (f.start, f.end, f.kind));
        out.iter()
            .map(|f| (text[f.start..f.end].to_owned(), f.kind))
            .collect()
    }

    fn kinds_found(text: &str, kind: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(_, k)| *k == kind)
            .map(|(t, _)| t)
            .collect()
    }

    fn assert_nothing(texts: &[&str]) {
        for text in texts {
            assert_eq!(found(text), Vec::new(), "{text:?}");
        }
    }

    #[test]
    fn every_builtin_pattern_compiles() {
        assert!(builtins().is_ok(), "{:?}", builtins().err());
    }

    #[test]
    fn developer_text_comes_through_untouched() {
        assert_nothing(&[
            "src/main.rs",
            "edit core/src/privacy/detectors.rs and README.md",
            "package.json Cargo.toml Cargo.lock index.d.ts tsconfig.app.json vite.config.ts",
            "setup.py Makefile.in lib/libfoo.so.1 build.sh script.pl archive.zip",
            "release v1.2.3, then 1.2.3.4.5 and 0.1.0-beta.2",
            "npm run build && npm ci --no-audit",
            "cargo test -p flow-core --lib privacy",
            "git push origin main; git log --oneline",
            "logger.info(\"started\") console.info(x) self.app.run() user.name file.id",
            "use std::fmt::Display; Vec::new(); a::b::c",
            "at 10:30:45 the MAC 00:1a:2b:3c:4d:5e was seen",
            "~/.local/share/flow and .env.local and ./node_modules/.bin/tsc",
            "connect to localhost:3456 or 127.0.0.1:8080 or [::1]:80 or 0.0.0.0:3000",
            "http://localhost:5173/settings and http://127.0.0.1:3456/?x=1",
            "max_tokens: 512, token_count=3, tokens=10, tokenizer: bpe",
            "password_hash: bcrypt, secretName: db-creds, password_file=/run/secrets/db",
            "{{input.api_key}} and {{node.output}} and {{memory.token}}",
            "e.g. this, i.e. that. Done.Next",
            "System.getProperty(\"user.home\"); x = np.int; from google.cloud import storage",
        ]);
    }

    #[test]
    fn key_value_credentials_replace_only_the_value() {
        let cases: &[(&str, &str, &str)] = &[
            ("password=hunter2", "hunter2", SECRET),
            ("DB_PASSWORD=s3cr3t!", "s3cr3t!", SECRET),
            ("export API_KEY=abc123def", "abc123def", SECRET),
            ("PASSWORD = \"with spaces\"", "with spaces", SECRET),
            (
                "{\"password\": \"hunter2\", \"user\": \"al\"}",
                "hunter2",
                SECRET,
            ),
            ("{'client_secret': 'cs-9f8e'}", "cs-9f8e", SECRET),
            ("api_key: 12345678", "12345678", SECRET),
            ("  x-api-key: k-abc", "k-abc", SECRET),
            ("GITHUB_TOKEN=tok_abc", "tok_abc", TOKEN),
            ("accessToken: \"at-123\"", "at-123", TOKEN),
            (
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
                "wJalrXUtnFEMI/K7MDENG",
                SECRET,
            ),
            ("mysql --password=pa55 -u root", "pa55", SECRET),
            ("tool --api-key k9k9k9 --verbose", "k9k9k9", SECRET),
            ("tool --token 'quoted token'", "quoted token", TOKEN),
            ("'db_pass' => 'letmein'", "letmein", SECRET),
            ("'password' => 'letmein'", "letmein", SECRET),
            ("pwd := \"go-secret\"", "go-secret", SECRET),
            ("db_pwd := \"go-secret\"", "go-secret", SECRET),
            ("https://x.io/cb?token=abc123&next=1", "abc123", TOKEN),
            ("let password = \"hunter2\";", "hunter2", SECRET),
            ("mypassword=abc", "abc", SECRET),
        ];
        for (text, value, kind) in cases {
            let credentials: Vec<_> = found(text)
                .into_iter()
                .filter(|(_, k)| *k == SECRET || *k == TOKEN)
                .collect();
            // `pwd := …`: a bare `pwd` is the working directory, not a secret.
            if text.starts_with("pwd") {
                assert_eq!(credentials, Vec::new(), "{text}");
                continue;
            }
            assert!(
                credentials.contains(&((*value).to_owned(), *kind)),
                "{text}: {credentials:?}"
            );
        }
    }

    #[test]
    fn yaml_values_run_to_the_end_of_the_line() {
        // The `key: value` shape also finds the first word; the longer finding wins later.
        let text = "db:\n  user: app\n  password: correct horse battery  # rotated\n  host: x\n";
        assert!(kinds_found(text, SECRET).contains(&"correct horse battery".to_owned()));
        let crlf = "secret: two words\r\nnext: 1\r\n";
        assert!(kinds_found(crlf, SECRET).contains(&"two words".to_owned()));
        // Inline maps and lists are left to the `key: value` shape.
        assert_eq!(
            kinds_found("password: null, token: true", SECRET),
            Vec::<String>::new()
        );
    }

    #[test]
    fn references_masks_and_types_are_not_secrets() {
        assert_nothing(&[
            "password=$DB_PASSWORD",
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "password={{input.password}}",
            "api_key=%API_KEY%",
            "password: <your password>",
            "password=[SECRET_1]",
            "password: ********",
            "secret: xxxx",
            "password: null, token: true, secret: \"\"",
            "pub password: String,",
            "    token: Option<String>,",
            "  password?: string;",
            "fn login(password: &str)",
            "password = get_password()",
            "if password == \"\" {",
            "passing: 12, bypass=1, compass: north",
            "PWD=/home/me/src",
            "pass: true",
            "curl -H \"Authorization: Bearer $TOKEN\"",
        ]);
    }

    #[test]
    fn authorization_headers_and_bearer_tokens() {
        assert_eq!(
            found("Authorization: Bearer abc.def-123"),
            vec![("abc.def-123".to_owned(), TOKEN)]
        );
        assert_eq!(
            found("-H 'authorization: Basic dXNlcjpwYXNz'"),
            vec![("dXNlcjpwYXNz".to_owned(), SECRET)]
        );
        assert_eq!(
            found("Authorization: token abcdef"),
            vec![("abcdef".to_owned(), TOKEN)]
        );
        assert_eq!(
            found("send bearer 4f3c2b1a9e8d"),
            vec![("4f3c2b1a9e8d".to_owned(), TOKEN)]
        );
        assert_nothing(&["bearer authentication uses bearer tokens", "Bearer abc"]);
    }

    #[test]
    fn well_known_token_shapes() {
        let tokens = [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "xoxb-123456789012-abcdefABCDEF",
            "xoxp-1234-5678-abcdef",
            "sk-abcdefghijklmnopqrstuvwxyz012345",
            "sk-proj-abcdefghijklmnopqrstuvwxyz_01234",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "glpat-abcdefghij0123456789",
            "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234",
        ];
        for token in tokens {
            let text = format!("use {token} here");
            assert_eq!(found(&text), vec![(token.to_owned(), TOKEN)], "{token}");
        }
        assert_nothing(&[
            "task-runner scikit-learn sk-short",
            "AKIA is a prefix; AKIAshort",
            "ghp_short xoxb- eyJ alone",
        ]);
    }

    #[test]
    fn private_key_blocks_whole_and_cut_off() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nq8Fz==\n-----END RSA PRIVATE KEY-----";
        let text = format!("key:\n{key}\nthen more text");
        assert_eq!(kinds_found(&text, SECRET), vec![key]);
        let cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n\nAAAABG5vbmUAAAAEbm9uZQ\nThen run the tool.";
        assert_eq!(
            kinds_found(cut, SECRET),
            vec![
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n\nAAAABG5vbmUAAAAEbm9uZQ"
            ]
        );
        assert_nothing(&["-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"]);
    }

    #[test]
    fn emails() {
        assert_eq!(
            kinds_found(
                "mail alice.smith+ops@mail.acme.io, or bob@corp.internal.",
                EMAIL
            ),
            vec!["alice.smith+ops@mail.acme.io", "bob@corp.internal"]
        );
        assert_nothing(&[
            "npm i @types/node@20.19.8 react@latest",
            "user@host has no domain",
            "@decorator and a@b",
        ]);
    }

    #[test]
    fn ipv4_addresses() {
        assert_eq!(
            kinds_found(
                "hosts 10.0.0.5:5432, 192.168.1.20/24 and 8.8.8.8.",
                IP_ADDRESS
            ),
            vec!["10.0.0.5", "192.168.1.20", "8.8.8.8"]
        );
        assert_nothing(&[
            "127.0.0.1 127.1.2.3 0.0.0.0",
            "999.1.1.1 1.2.3 1.2.3.4.5 v1.2.3.4",
        ]);
    }

    #[test]
    fn ipv6_addresses() {
        assert_eq!(
            kinds_found(
                "2001:db8::8a2e:370:7334 and fe80::1%eth0 and [2001:db8::1]:443 and ::ffff:10.1.2.3",
                IP_ADDRESS
            ),
            vec![
                "2001:db8::8a2e:370:7334",
                "fe80::1",
                "2001:db8::1",
                "::ffff:10.1.2.3",
                "10.1.2.3"
            ]
        );
        assert_nothing(&["::1 and :: and ::ffff:127.0.0.1", "a::b c::d"]);
    }

    #[test]
    fn hostnames() {
        assert_eq!(
            kinds_found(
                "deploy to api.acme.io, db-01.corp and printer.local; ssh build.internal",
                HOSTNAME
            ),
            vec![
                "api.acme.io",
                "db-01.corp",
                "printer.local",
                "build.internal"
            ]
        );
        assert_eq!(
            kinds_found("see github.com/org/repo and //cdn.acme.co/x.js", HOSTNAME),
            vec!["github.com", "cdn.acme.co"]
        );
        assert_nothing(&[
            "src/www.acme.com is a folder",
            "notes.md main.rs index.d.ts",
            "foo.com.rs",
        ]);
    }

    #[test]
    fn the_host_of_any_url() {
        assert_eq!(
            found("fetch http://jenkins:8080/job and https://Build-01/x"),
            vec![
                ("jenkins".to_owned(), HOSTNAME),
                ("Build-01".to_owned(), HOSTNAME)
            ]
        );
        assert_eq!(
            found("postgres://app:s3cret@10.1.2.3:5432/db"),
            vec![
                ("s3cret".to_owned(), SECRET),
                ("10.1.2.3".to_owned(), IP_ADDRESS)
            ]
        );
        assert_eq!(
            kinds_found("open https://acme.io.", HOSTNAME),
            vec!["acme.io"]
        );
        assert_eq!(
            kinds_found("http://[2001:db8::1]:80/", IP_ADDRESS),
            vec!["2001:db8::1"]
        );
        assert_nothing(&[
            "file:///home/me/notes.txt",
            "http://localhost:3000 http://api.localhost/ http://[::1]:1/",
            "https://{{input.host}}/path",
            "redis://:$REDIS_PASSWORD@localhost:6379",
        ]);
    }

    #[test]
    fn keys_are_split_into_words() {
        assert_eq!(
            key_words("AWS_SECRET_ACCESS_KEY"),
            ["aws", "secret", "access", "key"]
        );
        assert_eq!(key_words("clientSecret"), ["client", "secret"]);
        assert_eq!(key_words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(key_words("APIKEY"), ["apikey"]);
        assert_eq!(secret_kind("max_tokens"), None);
        assert_eq!(secret_kind("GITHUB_TOKEN"), Some(TOKEN));
        assert_eq!(secret_kind("csrftoken"), Some(TOKEN));
        assert_eq!(secret_kind("apiKey"), Some(SECRET));
        assert_eq!(secret_kind("PWD"), None);
        assert_eq!(secret_kind("DB_PWD"), Some(SECRET));
        assert_eq!(secret_kind("key"), None);
        assert_eq!(secret_kind("primary_key"), None);
    }
}
