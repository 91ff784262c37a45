//! The sampler chain for one request: temperature 0 is greedy; otherwise top-k, top-p, min-p
//! and temperature, then a seeded draw. A JSON Schema becomes a llama.cpp grammar that every
//! sampled token must satisfy.
//!
//! The grammar is checked against the chain's pick first and applied to the whole vocabulary
//! only when that pick breaks it (llama.cpp's own common sampler does the same): checking every
//! one of Gemma's 262,144 tokens against a large grammar at every step made a grammar-bound
//! generation many times slower than a free one.

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;

use flow_core::AppError;

/// How to pick tokens, resolved from a request's options.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingPlan {
    /// 0 means greedy.
    pub temperature: f32,
    /// Nucleus threshold.
    pub top_p: f32,
    /// Candidate count.
    pub top_k: u32,
    /// The draw's seed.
    pub seed: u32,
    /// GBNF grammar the output must match.
    pub grammar: Option<String>,
}

/// Default temperature.
pub const DEFAULT_TEMPERATURE: f32 = 0.7;
/// Default nucleus threshold.
pub const DEFAULT_TOP_P: f32 = 0.95;
/// Default candidate count.
pub const DEFAULT_TOP_K: u32 = 40;

impl SamplingPlan {
    /// Checks the ranges and fills the defaults; a missing seed is drawn from the clock.
    pub fn new(
        temperature: Option<f32>,
        top_p: Option<f32>,
        top_k: Option<u32>,
        seed: Option<u32>,
        json_schema: Option<&serde_json::Value>,
    ) -> Result<Self, AppError> {
        let temperature = temperature.unwrap_or(DEFAULT_TEMPERATURE);
        if !(0.0..=2.0).contains(&temperature) {
            return Err(AppError::InvalidInput(format!(
                "temperature must be between 0 and 2, got {temperature}"
            )));
        }
        let top_p = top_p.unwrap_or(DEFAULT_TOP_P);
        if !(top_p > 0.0 && top_p <= 1.0) {
            return Err(AppError::InvalidInput(format!(
                "top_p must be above 0 and at most 1, got {top_p}"
            )));
        }
        let top_k = top_k.unwrap_or(DEFAULT_TOP_K).max(1);
        let seed = seed.unwrap_or_else(clock_seed);
        let grammar = json_schema.map(grammar_for_schema).transpose()?;
        Ok(Self {
            temperature,
            top_p,
            top_k,
            seed,
            grammar,
        })
    }

    /// The samplers for one generation with `model`.
    pub fn sampler(&self, model: &LlamaModel) -> Result<Sampler, AppError> {
        let grammar = match &self.grammar {
            Some(grammar) => Some(LlamaSampler::grammar(model, grammar, "root").map_err(|e| {
                AppError::InvalidInput(format!("the output schema's grammar was refused: {e}"))
            })?),
            None => None,
        };
        Ok(Sampler {
            chain: self.chain(),
            grammar,
        })
    }

    fn chain(&self) -> LlamaSampler {
        let mut chain = Vec::new();
        if self.temperature <= 0.0 {
            chain.push(LlamaSampler::greedy());
        } else {
            chain.push(LlamaSampler::top_k(
                i32::try_from(self.top_k).unwrap_or(i32::MAX),
            ));
            chain.push(LlamaSampler::top_p(self.top_p, 1));
            chain.push(LlamaSampler::min_p(0.05, 1));
            chain.push(LlamaSampler::temp(self.temperature));
            chain.push(LlamaSampler::dist(self.seed));
        }
        LlamaSampler::chain_simple(chain)
    }
}

/// How many of the likeliest tokens are checked against the grammar before the whole vocabulary.
const GRAMMAR_SHORTLIST: i32 = 256;

/// The samplers of one generation: the chain, and the grammar the answer must match.
pub struct Sampler {
    chain: LlamaSampler,
    grammar: Option<LlamaSampler>,
}

impl Sampler {
    /// Picks (and accepts) the next token from the `idx`-th output of the last decode.
    pub fn next(&mut self, ctx: &LlamaContext<'_>, idx: i32) -> Result<LlamaToken, AppError> {
        let Some(grammar) = self.grammar.as_mut() else {
            // Without a grammar the chain samples and accepts in one call.
            return Ok(self.chain.sample(ctx, idx));
        };
        let mut candidates = ctx.token_data_array_ith(idx);
        candidates.apply_sampler(&mut self.chain);
        let pick = candidates.selected_token().ok_or_else(no_token)?;
        let mut single = LlamaTokenDataArray::new(vec![LlamaTokenData::new(pick, 1.0, 0.0)], false);
        single.apply_sampler(grammar);
        let token = if single.data.first().is_some_and(|t| t.logit().is_finite()) {
            pick
        } else {
            // The pick breaks the grammar: look for an allowed token among the likeliest few
            // hundred first, and only when none is allowed check the whole vocabulary.
            let mut likeliest = ctx.token_data_array_ith(idx);
            likeliest.apply_sampler(&mut LlamaSampler::top_k(GRAMMAR_SHORTLIST));
            likeliest.apply_sampler(grammar);
            // Only the allowed ones go on: the grammar marks the rest -inf without reordering, so
            // the shortlist's "sorted" flag would let the chain's top-k keep refused tokens.
            let kept: Vec<LlamaTokenData> = likeliest
                .data
                .into_iter()
                .filter(|t| t.logit().is_finite())
                .collect();
            let mut allowed = if kept.is_empty() {
                let mut all = ctx.token_data_array_ith(idx);
                all.apply_sampler(grammar);
                all
            } else {
                LlamaTokenDataArray::new(kept, false)
            };
            allowed.apply_sampler(&mut self.chain);
            allowed.selected_token().ok_or_else(no_token)?
        };
        grammar.accept(token);
        self.chain.accept(token);
        Ok(token)
    }
}

fn no_token() -> AppError {
    AppError::Internal("the sampler chose no token".into())
}

/// The GBNF grammar for a JSON Schema (llama.cpp's own converter).
pub fn grammar_for_schema(schema: &serde_json::Value) -> Result<String, AppError> {
    if !schema.is_object() {
        return Err(AppError::InvalidInput(
            "an output schema must be a JSON object".into(),
        ));
    }
    llama_cpp_2::json_schema_to_grammar(&schema.to_string()).map_err(|e| {
        AppError::InvalidInput(format!(
            "the output schema cannot be turned into a grammar: {e}"
        ))
    })
}

fn clock_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or(0);
    nanos | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_options_are_refused_with_the_value() {
        let err = SamplingPlan::new(Some(3.0), None, None, None, None).unwrap_err();
        assert!(
            err.message()
                .contains("temperature must be between 0 and 2, got 3")
        );
        let err = SamplingPlan::new(None, Some(0.0), None, None, None).unwrap_err();
        assert!(err.message().contains("top_p"));
    }

    #[test]
    fn a_schema_becomes_a_grammar_with_a_root_rule() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"]
        });
        let grammar = grammar_for_schema(&schema).unwrap();
        assert!(grammar.contains("root ::="), "{grammar}");
        assert!(grammar_for_schema(&serde_json::json!("nope")).is_err());
    }
}
