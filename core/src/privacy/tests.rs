//! The sanitizer end to end: overlaps, numbering, scopes, restoring, user rules, the preview,
//! and properties over arbitrary text.

use proptest::prelude::*;

use super::*;

fn rule(name: &str, pattern: &str, placeholder: &str) -> PrivacyRule {
    PrivacyRule {
        name: name.to_owned(),
        pattern: pattern.to_owned(),
        placeholder: placeholder.to_owned(),
    }
}

fn sanitized(text: &str) -> String {
    Sanitizer::new(&[]).unwrap().scope().sanitize(text)
}

fn replacement(placeholder: &str, kind: &str, original: &str) -> Replacement {
    Replacement {
        placeholder: placeholder.to_owned(),
        kind: kind.to_owned(),
        original: original.to_owned(),
    }
}

#[test]
fn the_sanitizer_is_clone_debug_send_and_sync() {
    fn shareable<T: Clone + std::fmt::Debug + Send + Sync>() {}
    shareable::<Sanitizer>();
    shareable::<SanitizeScope>();
}

#[test]
fn each_kind_is_numbered_on_its_own_and_a_value_keeps_its_placeholder() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let out = scope.sanitize(
        "alice@acme.io asked bob@acme.io about 10.0.0.7; alice@acme.io again, via 10.0.0.8 and 10.0.0.7",
    );
    assert_eq!(
        out,
        "[EMAIL_1] asked [EMAIL_2] about [IP_ADDRESS_1]; [EMAIL_1] again, via [IP_ADDRESS_2] and [IP_ADDRESS_1]"
    );
    assert_eq!(
        scope.replacements(),
        [
            replacement("[EMAIL_1]", EMAIL, "alice@acme.io"),
            replacement("[EMAIL_2]", EMAIL, "bob@acme.io"),
            replacement("[IP_ADDRESS_1]", IP_ADDRESS, "10.0.0.7"),
            replacement("[IP_ADDRESS_2]", IP_ADDRESS, "10.0.0.8"),
        ]
    );
}

#[test]
fn one_scope_shares_its_mapping_across_the_parts_of_a_prompt() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let system = scope.sanitize("You work on build-01.corp for ops@acme.io.");
    let user = scope.sanitize("Why does build-01.corp refuse deploy@acme.io?");
    assert_eq!(system, "You work on [HOSTNAME_1] for [EMAIL_1].");
    assert_eq!(user, "Why does [HOSTNAME_1] refuse [EMAIL_2]?");
    let answer = "Log in to [HOSTNAME_1] as [EMAIL_2]; [EMAIL_7] is not ours.";
    assert_eq!(
        scope.restore(answer),
        "Log in to build-01.corp as deploy@acme.io; [EMAIL_7] is not ours."
    );
    // A fresh scope starts numbering again.
    assert_eq!(
        Sanitizer::new(&[])
            .unwrap()
            .scope()
            .sanitize("deploy@acme.io"),
        "[EMAIL_1]"
    );
}

#[test]
fn the_key_stays_and_only_the_value_becomes_a_secret() {
    assert_eq!(sanitized("password=hunter2"), "password=[SECRET_1]");
    assert_eq!(
        sanitized("{\"api_key\": \"k-123\", \"user\": \"al\"}"),
        "{\"api_key\": \"[SECRET_1]\", \"user\": \"al\"}"
    );
    assert_eq!(
        sanitized(
            "curl -H 'Authorization: Bearer abc123def456' --token t0k3n https://api.acme.io/v1"
        ),
        "curl -H 'Authorization: Bearer [TOKEN_1]' --token [TOKEN_2] https://[HOSTNAME_1]/v1"
    );
    assert_eq!(
        sanitized("db:\n  password: correct horse battery  # rotated\n"),
        "db:\n  password: [SECRET_1]  # rotated\n"
    );
}

#[test]
fn a_credential_wins_every_overlap_and_otherwise_the_longest_wins() {
    // The value is an e-mail address with a hostname inside: the credential takes it all.
    assert_eq!(
        sanitized("password=alice@mail.acme.io"),
        "password=[SECRET_1]"
    );
    // The e-mail address is longer than the hostname inside it.
    assert_eq!(sanitized("write alice@mail.acme.io"), "write [EMAIL_1]");
    // A token shape and a secret-named key find the same span: the token shape is more specific.
    assert_eq!(
        sanitized("OPENAI_API_KEY=sk-abcdefghijklmnopqrstuvwxyz012345"),
        "OPENAI_API_KEY=[TOKEN_1]"
    );
    // The URL's password is a secret, its host a hostname.
    assert_eq!(
        sanitized("postgres://app:s3cret@db.internal:5432/app"),
        "postgres://app:[SECRET_1]@[HOSTNAME_1]:5432/app"
    );
    // The longer YAML value wins over its first word.
    assert_eq!(sanitized("secret: two words"), "secret: [SECRET_1]");
}

#[test]
fn a_private_key_block_is_one_secret() {
    let key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbm9uZQ==\n-----END PRIVATE KEY-----";
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let out = scope.sanitize(&format!("deploy key:\n{key}\n"));
    assert_eq!(out, "deploy key:\n[SECRET_1]\n");
    assert_eq!(scope.replacements()[0].original, key);
}

#[test]
fn repeated_credentials_are_replaced_where_no_detector_would_see_them() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let env = scope.sanitize("DB_PASSWORD=s3cr3t-passw0rd");
    let log = scope.sanitize("connecting with s3cr3t-passw0rd (s3cr3t-passw0rdX stays)");
    assert_eq!(env, "DB_PASSWORD=[SECRET_1]");
    assert_eq!(log, "connecting with [SECRET_1] (s3cr3t-passw0rdX stays)");
    // Short ones would hit ordinary words: `test` stays in `cargo test`.
    assert_eq!(
        sanitized("password=test\ncargo test"),
        "password=[SECRET_1]\ncargo test"
    );
}

#[test]
fn placeholder_looking_input_is_skipped_when_numbering() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let text = "[EMAIL_1] and [EMAIL_2] are literal; mail bob@acme.io";
    let out = scope.sanitize(text);
    assert_eq!(out, "[EMAIL_1] and [EMAIL_2] are literal; mail [EMAIL_3]");
    assert_eq!(scope.restore(&out), text);
}

#[test]
fn a_literal_placeholder_handed_out_earlier_in_the_scope_is_replaced_too() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let first = scope.sanitize("bob@acme.io");
    let second = scope.sanitize("the literal text [EMAIL_1] and bob@acme.io");
    assert_eq!(first, "[EMAIL_1]");
    assert_eq!(second, "the literal text [EMAIL_2] and [EMAIL_1]");
    assert_eq!(scope.restore(&first), "bob@acme.io");
    assert_eq!(
        scope.restore(&second),
        "the literal text [EMAIL_1] and bob@acme.io"
    );
}

#[test]
fn restore_leaves_everything_else_alone() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    let sanitized = scope.sanitize("ops@acme.io");
    assert_eq!(sanitized, "[EMAIL_1]");
    for text in [
        "[EMAIL_2]",
        "[email_1]",
        "[EMAIL_1 ]",
        "[ EMAIL_1]",
        "EMAIL_1",
        "{{EMAIL_1}}",
        "",
    ] {
        assert_eq!(scope.restore(text), text);
    }
    assert_eq!(scope.restore("[[EMAIL_1]]"), "[ops@acme.io]");
}

#[test]
fn flow_templates_are_never_touched() {
    let sanitizer = Sanitizer::new(&[rule("inputs", "input", "WORD")]).unwrap();
    let text =
        "mail {{input.email}} at {{node.host.corp}} with {{input.password}}; input stays a word";
    assert_eq!(
        sanitizer.scope().sanitize(text),
        "mail {{input.email}} at {{node.host.corp}} with {{input.password}}; [WORD_1] stays a word"
    );
}

#[test]
fn user_rules_use_their_placeholder_and_may_keep_their_context() {
    let sanitizer = Sanitizer::new(&[
        rule("datasets", r"\bds_[a-z0-9_]+", "DATASET_NAME"),
        rule("projects", r"project=(?P<value>[A-Z]+-\d+)", "PROJECT"),
        rule("hosts", r"build-\d+\.corp", "BUILD_HOST"),
    ])
    .unwrap();
    let mut scope = sanitizer.scope();
    let out = scope.sanitize(
        "load ds_sales_eu and ds_hr into project=ABC-12 on build-01.corp, then ds_sales_eu again",
    );
    assert_eq!(
        out,
        "load [DATASET_NAME_1] and [DATASET_NAME_2] into project=[PROJECT_1] on [BUILD_HOST_1], then [DATASET_NAME_1] again"
    );
    assert_eq!(
        scope.restore("[DATASET_NAME_2] belongs to [PROJECT_1]"),
        "ds_hr belongs to ABC-12"
    );
}

#[test]
fn a_rule_that_matches_nothing_but_empty_text_changes_nothing() {
    let sanitizer = Sanitizer::new(&[rule("empty", "x*", "EMPTY")]).unwrap();
    assert_eq!(sanitizer.scope().sanitize("abc"), "abc");
    assert_eq!(sanitizer.scope().sanitize("axxb"), "a[EMPTY_1]b");
}

#[test]
fn bad_rules_are_invalid_input_naming_the_rule() {
    assert_eq!(
        Sanitizer::new(&[rule("x", "[", "X")]).unwrap_err(),
        AppError::InvalidInput(
            "privacy rule `x`: pattern is not a valid regular expression: unclosed character class"
                .into()
        )
    );
    let many: Vec<PrivacyRule> = (0..65).map(|i| rule(&format!("r{i}"), "a", "A")).collect();
    assert_eq!(
        Sanitizer::new(&many).unwrap_err(),
        AppError::InvalidInput("at most 64 privacy rules are allowed, got 65".into())
    );
}

#[test]
fn from_settings_uses_the_saved_rules() {
    let settings = Settings {
        privacy_rules: vec![rule("codes", r"PRJ-\d+", "PROJECT")],
        ..Settings::default()
    };
    let mut scope = Sanitizer::from_settings(&settings).unwrap().scope();
    assert_eq!(
        scope.sanitize("PRJ-7 on db.corp"),
        "[PROJECT_1] on [HOSTNAME_1]"
    );
}

#[test]
fn a_scope_debug_never_shows_values() {
    let mut scope = Sanitizer::new(&[]).unwrap().scope();
    scope.sanitize("password=hunter2 ops@acme.io");
    let shown = format!("{scope:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("acme"),
        "{shown}"
    );
    assert!(shown.contains("replacements: 2"), "{shown}");
}

#[test]
fn preview_lists_what_it_replaced() {
    let preview = preview("ops@acme.io on 10.1.2.3", &[]).unwrap();
    assert_eq!(preview.text, "[EMAIL_1] on [IP_ADDRESS_1]");
    assert_eq!(
        preview.replacements,
        vec![
            replacement("[EMAIL_1]", EMAIL, "ops@acme.io"),
            replacement("[IP_ADDRESS_1]", IP_ADDRESS, "10.1.2.3"),
        ]
    );
    assert_eq!(
        serde_json::to_value(&preview).unwrap()["replacements"][0],
        serde_json::json!({"placeholder": "[EMAIL_1]", "kind": "EMAIL", "original": "ops@acme.io"})
    );
    assert!(matches!(
        super::preview("x", &[rule("Bad", "x", "X")]),
        Err(AppError::InvalidInput(_))
    ));
}

#[test]
fn preview_takes_at_most_one_mebibyte() {
    let line = "deploy ds_x to db-01.corp as ops@acme.io with password=hunter2 from 10.0.0.1\n";
    let mut text = line.repeat(MAX_PREVIEW_BYTES / line.len());
    text.push_str(&"x".repeat(MAX_PREVIEW_BYTES - text.len()));
    assert_eq!(text.len(), MAX_PREVIEW_BYTES);
    let at_limit = preview(&text, &[]).unwrap();
    assert_eq!(at_limit.replacements.len(), 4);
    text.push('x');
    assert_eq!(
        preview(&text, &[]).unwrap_err(),
        AppError::PayloadTooLarge(
            "the text to preview is 1048577 bytes; at most 1048576 (1 MiB) can be previewed".into()
        )
    );
}

/// Pieces that stress the sanitizer: detectable values, placeholder-looking text, template
/// braces and brackets, mixed with arbitrary text.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => prop::sample::select(vec![
            "[EMAIL_1]", "[EMAIL_2]", "[SECRET_1]", "[HOSTNAME_1]", "[IP_ADDRESS_1]", "[TOKEN_1]",
            "[X_1]", "[EMAIL_01]", "[", "]", "_1]", "[EMAIL", "{{", "}}", "{{input.x}}",
            "alice@acme.io", "bob@acme.io", "db.corp", "api.acme.io", "10.0.0.1", "2001:db8::1",
            "password=", "password=hunter2hunter2", "hunter2hunter2", "token: ", "Bearer ",
            "Authorization: Bearer abc123def", "https://", "http://u:p@h/", "://", "@", ".", ":",
            "=", "\"", "'", " ", "\n", "\r\n", "-----BEGIN PRIVATE KEY-----",
            "-----END PRIVATE KEY-----", "é", "😀", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ])
        .prop_map(str::to_owned),
        1 => r"\[[A-Z][A-Z_]{0,6}_[0-9]{1,2}\]",
        1 => r"[a-z]{1,8}@[a-z]{1,8}\.(io|corp|com)",
        1 => r"[a-z0-9_]{1,10}=[a-zA-Z0-9]{1,12}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..16).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn restore_undoes_sanitize(input in text()) {
        let sanitizer = Sanitizer::new(&[rule("words", r"\b[a-z]{3}\b", "WORD")]).unwrap();
        let mut scope = sanitizer.scope();
        let out = scope.sanitize(&input);
        prop_assert_eq!(scope.restore(&out), input);
    }

    #[test]
    fn restore_undoes_sanitize_for_every_part_of_a_scope(parts in prop::collection::vec(text(), 1..5)) {
        let mut scope = Sanitizer::new(&[]).unwrap().scope();
        let outs: Vec<String> = parts.iter().map(|part| scope.sanitize(part)).collect();
        for (part, out) in parts.iter().zip(&outs) {
            prop_assert_eq!(&scope.restore(out), part);
        }
        let mut placeholders: Vec<&str> =
            scope.replacements().iter().map(|r| r.placeholder.as_str()).collect();
        let count = placeholders.len();
        placeholders.sort_unstable();
        placeholders.dedup();
        prop_assert_eq!(placeholders.len(), count, "placeholders are unique");
        prop_assert!(scope.replacements().iter().all(|r| !r.original.is_empty()));
    }

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        let mut scope = Sanitizer::new(&[]).unwrap().scope();
        let out = scope.sanitize(&input);
        prop_assert_eq!(scope.restore(&out), input);
    }
}

/// Repetitive inputs that would make a careless matcher quadratic (one long match after
/// another, unterminated shapes, one huge credential). Each is 256 KiB and takes well under a
/// second here; a quadratic step would take minutes and show as a hung test.
#[test]
fn large_repetitive_inputs_are_sanitized_and_restored() {
    const SIZE: usize = 256 * 1024;
    let repeat = |unit: &str| unit.repeat(SIZE / unit.len());
    let cases = [
        repeat("a."),
        repeat("password="),
        repeat("token_count="),
        repeat("a@"),
        repeat(":"),
        repeat("a:"),
        repeat("1."),
        repeat("-----BEGIN PRIVATE KEY-----\n"),
        repeat("key: v\n"),
        repeat("[EMAIL_1]"),
        repeat("http://"),
        repeat("{{"),
        repeat("Authorization: Bearer "),
        format!("password=abcdefgh12 {}", repeat("abcdefgh12 ")),
        (0..SIZE / 16).map(|i| format!("u{i}@acme.io ")).collect(),
    ];
    for text in cases {
        let mut scope = Sanitizer::new(&[]).unwrap().scope();
        let out = scope.sanitize(&text);
        assert_eq!(scope.restore(&out), text, "{}", &text[..20]);
    }
}
