//! The autonomous budgets: how many fixes, seconds and model tokens one autonomous run may
//! use (settings `max_agentic_iterations`, `max_agentic_seconds`, `max_agentic_tokens`), and
//! which one ran out.

use std::time::Instant;

use super::types::{AutonomousOutcome, BudgetUse};
use crate::settings::Settings;

/// What a run has used so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spent {
    /// Fixes applied.
    pub iterations: u32,
    /// Tokens of its fixes.
    pub tokens: u32,
}

/// The use of a run started at `started`, against the settings' limits.
pub fn usage(settings: &Settings, spent: Spent, started: Instant) -> BudgetUse {
    BudgetUse {
        iterations: spent.iterations,
        max_iterations: settings.max_agentic_iterations,
        seconds: (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        max_seconds: settings.max_agentic_seconds,
        tokens: spent.tokens,
        max_tokens: settings.max_agentic_tokens,
    }
}

/// The budget that is used up, if one is: no further fix may be planned.
pub fn exhausted(usage: &BudgetUse) -> Option<AutonomousOutcome> {
    if usage.iterations >= usage.max_iterations {
        Some(AutonomousOutcome::IterationsExhausted)
    } else if usage.seconds >= f64::from(usage.max_seconds) {
        Some(AutonomousOutcome::SecondsExhausted)
    } else if usage.tokens >= usage.max_tokens {
        Some(AutonomousOutcome::TokensExhausted)
    } else {
        None
    }
}

/// Seconds left before the wall-clock budget ends.
pub fn seconds_left(usage: &BudgetUse) -> f64 {
    (f64::from(usage.max_seconds) - usage.seconds).max(0.0)
}

/// Tokens the next fix may use.
pub fn tokens_left(usage: &BudgetUse) -> u32 {
    usage.max_tokens.saturating_sub(usage.tokens)
}

/// What a person reads when a budget ended the loop.
pub fn explain(outcome: AutonomousOutcome, usage: &BudgetUse) -> String {
    match outcome {
        AutonomousOutcome::IterationsExhausted => format!(
            "{} fix(es) applied, the most `max_agentic_iterations` allows",
            usage.iterations
        ),
        AutonomousOutcome::SecondsExhausted => format!(
            "{:.0} s used of the {} s `max_agentic_seconds` allows",
            usage.seconds, usage.max_seconds
        ),
        AutonomousOutcome::TokensExhausted => format!(
            "{} tokens used of the {} `max_agentic_tokens` allows",
            usage.tokens, usage.max_tokens
        ),
        AutonomousOutcome::Converged => "the run passed".into(),
        AutonomousOutcome::NoFix => "the model proposed no usable fix".into(),
        AutonomousOutcome::Stopped => "stopped by a person".into(),
        AutonomousOutcome::Failed => "the run failed where no fix applies".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(iterations: u32, seconds: f64, tokens: u32) -> BudgetUse {
        BudgetUse {
            iterations,
            max_iterations: 3,
            seconds,
            max_seconds: 60,
            tokens,
            max_tokens: 1_000,
        }
    }

    #[test]
    fn each_budget_ends_the_loop_when_used_up_and_says_which() {
        assert_eq!(exhausted(&limits(2, 59.0, 999)), None);
        assert_eq!(
            exhausted(&limits(3, 0.0, 0)),
            Some(AutonomousOutcome::IterationsExhausted)
        );
        assert_eq!(
            exhausted(&limits(0, 60.0, 0)),
            Some(AutonomousOutcome::SecondsExhausted)
        );
        assert_eq!(
            exhausted(&limits(0, 0.0, 1_000)),
            Some(AutonomousOutcome::TokensExhausted)
        );
        assert_eq!(tokens_left(&limits(0, 0.0, 400)), 600);
        assert_eq!(seconds_left(&limits(0, 70.0, 0)), 0.0);
        assert!(
            explain(AutonomousOutcome::TokensExhausted, &limits(0, 0.0, 1_000))
                .contains("max_agentic_tokens")
        );
    }

    #[test]
    fn usage_reads_the_limits_from_the_settings() {
        let settings = Settings::default();
        let used = usage(
            &settings,
            Spent {
                iterations: 1,
                tokens: 20,
            },
            Instant::now(),
        );
        assert_eq!(used.max_iterations, settings.max_agentic_iterations);
        assert_eq!(used.max_tokens, settings.max_agentic_tokens);
        assert_eq!((used.iterations, used.tokens), (1, 20));
        assert!(used.seconds < 1.0);
    }
}
