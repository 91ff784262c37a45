//! The blocking generation loop. It runs on a thread of its own that owns the llama.cpp
//! context, checks for cancellation between prompt batches and between tokens, and hands each
//! text delta (whole UTF-8 characters, stop strings held back) to a callback.

use std::num::NonZeroU32;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use tokio_util::sync::CancellationToken;

use flow_core::AppError;
use flow_core::llm::FinishReason;

use crate::backend::backend;
use crate::resident::ResidentModel;
use crate::sampling::SamplingPlan;

/// Tokens fed to the model per decode call while reading the prompt.
const PROMPT_BATCH: usize = 512;
/// The context used when neither the request nor the model's parameters say.
const DEFAULT_CONTEXT: u32 = 4096;

/// One generation's inputs.
#[derive(Debug)]
pub struct Job {
    /// The model, kept alive for the whole generation.
    pub model: Arc<ResidentModel>,
    /// The templated prompt.
    pub prompt: String,
    /// How to pick tokens.
    pub sampling: SamplingPlan,
    /// Most tokens to generate.
    pub max_tokens: u32,
    /// Strings that end the answer.
    pub stop: Vec<String>,
    /// Cancels the generation between batches and tokens.
    pub cancel: CancellationToken,
}

/// What a generation produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The answer.
    pub text: String,
    /// Why it stopped.
    pub finish: FinishReason,
    /// Tokens in the prompt.
    pub prompt_tokens: u32,
    /// Tokens generated.
    pub completion_tokens: u32,
    /// Milliseconds to the first generated token.
    pub ttft_ms: f64,
    /// Milliseconds for the whole generation.
    pub duration_ms: f64,
}

/// Runs `job`, calling `on_delta` with each piece of text; a `false` from it cancels.
pub fn run(job: &Job, mut on_delta: impl FnMut(&str) -> bool) -> Result<Generated, AppError> {
    let started = Instant::now();
    let resident = &job.model;
    let model = &resident.model;
    let vocab = model.vocab();
    let tokens = vocab.tokenize(job.prompt.as_bytes(), true, true);
    let n_ctx = resident
        .params
        .context_size
        .unwrap_or_else(|| model.n_ctx_train().min(DEFAULT_CONTEXT))
        .max(64);
    let prompt_len = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
    if prompt_len >= n_ctx {
        return Err(AppError::InvalidInput(format!(
            "the prompt is {prompt_len} tokens but the context holds {n_ctx}; shorten it or load the model with a larger contextSize"
        )));
    }
    let max_tokens = job.max_tokens.min(n_ctx - prompt_len);
    let threads = resident
        .params
        .threads
        .map(|t| t.max(1) as i32)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() as i32));
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(PROMPT_BATCH as u32)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let mut ctx = {
        let _one_at_a_time = resident
            .context_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        model
            .new_context(backend()?, params)
            .map_err(|e| AppError::Internal(format!("creating an inference context: {e}")))?
    };
    let mut sampler = job.sampling.sampler(model)?;
    let mut out = TextStream::new(&job.stop);
    let cancelled = |out: TextStream, prompt_tokens, completion_tokens, ttft_ms| Generated {
        text: out.text,
        finish: FinishReason::Cancelled,
        prompt_tokens,
        completion_tokens,
        ttft_ms,
        duration_ms: ms(started),
    };

    let mut batch = LlamaBatch::new(PROMPT_BATCH, 1);
    let last = tokens.len().saturating_sub(1);
    for (chunk_index, chunk) in tokens.chunks(PROMPT_BATCH).enumerate() {
        if job.cancel.is_cancelled() {
            return Ok(cancelled(out, prompt_len, 0, 0.0));
        }
        batch.clear();
        for (i, token) in chunk.iter().enumerate() {
            let pos = chunk_index * PROMPT_BATCH + i;
            batch
                .add(*token, pos as i32, &[0], pos == last)
                .map_err(|e| AppError::Internal(format!("batching the prompt: {e}")))?;
        }
        ctx.decode(&mut batch)
            .map_err(|e| AppError::Internal(format!("reading the prompt: {e}")))?;
    }

    let mut n_cur = prompt_len as i32;
    let mut generated = 0u32;
    let mut ttft_ms = 0.0;
    let mut finish = FinishReason::Length;
    let mut pending_bytes: Vec<u8> = Vec::new();
    while generated < max_tokens {
        if job.cancel.is_cancelled() {
            return Ok(cancelled(out, prompt_len, generated, ttft_ms));
        }
        // `next` also feeds the token to every sampler (grammar state included).
        let token = sampler.next(&ctx, batch.n_tokens() - 1)?;
        if generated == 0 {
            ttft_ms = ms(started);
        }
        if vocab.is_eog(token) {
            finish = FinishReason::Stop;
            break;
        }
        generated += 1;
        pending_bytes.extend(vocab.token_to_piece(token, false, None));
        let piece = take_utf8(&mut pending_bytes);
        if let Some(delta) = out.push(&piece) {
            if !delta.is_empty() && !on_delta(&delta) {
                return Ok(cancelled(out, prompt_len, generated, ttft_ms));
            }
            if out.stopped {
                finish = FinishReason::Stop;
                break;
            }
        }
        batch.clear();
        batch
            .add(token, n_cur, &[0], true)
            .map_err(|e| AppError::Internal(format!("batching a token: {e}")))?;
        n_cur += 1;
        ctx.decode(&mut batch)
            .map_err(|e| AppError::Internal(format!("generating: {e}")))?;
    }
    if !pending_bytes.is_empty() {
        let rest = String::from_utf8_lossy(&pending_bytes).into_owned();
        if let Some(delta) = out.push(&rest)
            && !delta.is_empty()
        {
            on_delta(&delta);
        }
    }
    let tail = out.finish();
    if !tail.is_empty() {
        on_delta(&tail);
    }
    Ok(Generated {
        text: out.text,
        finish,
        prompt_tokens: prompt_len,
        completion_tokens: generated,
        ttft_ms,
        duration_ms: ms(started),
    })
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Takes the longest prefix of `bytes` that is whole UTF-8; a token may end inside a character.
/// Bytes that can never become valid are replaced so the stream cannot stall on them.
pub fn take_utf8(bytes: &mut Vec<u8>) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let text = text.to_owned();
            bytes.clear();
            text
        }
        Err(e) => {
            let valid = e.valid_up_to();
            let cut = match e.error_len() {
                Some(bad) => valid + bad,
                None => valid,
            };
            let head: Vec<u8> = bytes.drain(..cut).collect();
            String::from_utf8_lossy(&head).into_owned()
        }
    }
}

/// The answer as it grows, holding back text that could be the start of a stop string.
#[derive(Debug)]
pub struct TextStream<'a> {
    stop: &'a [String],
    /// Everything accepted so far (stop string excluded).
    pub text: String,
    emitted: usize,
    /// A stop string was produced.
    pub stopped: bool,
}

impl<'a> TextStream<'a> {
    /// An empty answer with these stop strings.
    pub fn new(stop: &'a [String]) -> Self {
        Self {
            stop,
            text: String::new(),
            emitted: 0,
            stopped: false,
        }
    }

    /// Adds a piece; returns the text that is now safe to show (possibly empty).
    pub fn push(&mut self, piece: &str) -> Option<String> {
        if self.stopped {
            return None;
        }
        self.text.push_str(piece);
        let search_from = self.emitted;
        if let Some(at) = self
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| self.text[search_from..].find(s.as_str()))
            .min()
        {
            self.text.truncate(search_from + at);
            self.stopped = true;
            return Some(self.release(self.text.len()));
        }
        let hold = self
            .stop
            .iter()
            .map(|s| longest_suffix_prefix(&self.text[search_from..], s))
            .max()
            .unwrap_or(0);
        Some(self.release(self.text.len() - hold))
    }

    /// Whatever was held back, once generation has ended without a stop string.
    pub fn finish(&mut self) -> String {
        self.release(self.text.len())
    }

    fn release(&mut self, upto: usize) -> String {
        let upto = upto.max(self.emitted);
        let out = self.text[self.emitted..upto].to_owned();
        self.emitted = upto;
        out
    }
}

/// The length of the longest suffix of `text` that is a proper prefix of `stop`, on character
/// boundaries.
fn longest_suffix_prefix(text: &str, stop: &str) -> usize {
    let max = stop.len().saturating_sub(1).min(text.len());
    (1..=max)
        .rev()
        .find(|&n| {
            text.is_char_boundary(text.len() - n)
                && stop.is_char_boundary(n)
                && stop.starts_with(&text[text.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_tokens_is_held_until_whole() {
        let mut bytes = "é".as_bytes()[..1].to_vec();
        assert_eq!(take_utf8(&mut bytes), "");
        bytes.extend(&"é".as_bytes()[1..]);
        assert_eq!(take_utf8(&mut bytes), "é");
        let mut bad = vec![b'a', 0xff, b'b'];
        assert_eq!(take_utf8(&mut bad), "a\u{fffd}");
        assert_eq!(take_utf8(&mut bad), "b");
    }

    #[test]
    fn stop_strings_end_the_text_and_are_never_shown() {
        let stop = vec!["END".to_owned()];
        let mut s = TextStream::new(&stop);
        assert_eq!(s.push("hello E").as_deref(), Some("hello "));
        assert_eq!(s.push("N").as_deref(), Some(""));
        assert_eq!(s.push("Dmore").as_deref(), Some(""));
        assert!(s.stopped);
        assert_eq!(s.text, "hello ");
    }

    #[test]
    fn a_held_back_prefix_is_released_when_it_is_not_a_stop() {
        let stop = vec!["END".to_owned()];
        let mut s = TextStream::new(&stop);
        assert_eq!(s.push("EN").as_deref(), Some(""));
        assert_eq!(s.push("o").as_deref(), Some("ENo"));
        assert_eq!(s.push("E").as_deref(), Some(""));
        assert_eq!(s.finish(), "E");
        assert_eq!(s.text, "ENoE");
    }
}
