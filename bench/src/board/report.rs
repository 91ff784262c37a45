//! The benchmark's results and their Markdown tables, goals and PASS/MISS beside each figure.

use std::fmt::Write;
use std::time::Duration;

use crate::board::load::LoadResult;
use crate::board::ms;
use crate::board::process::Memory;
use crate::board::sse::FanOut;
use crate::percentile;

/// An endpoint under load, on both servers.
#[derive(Debug, Clone)]
pub struct EndpointRow {
    /// The request target.
    pub path: String,
    /// The body's size in bytes.
    pub body_bytes: usize,
    /// The real server.
    pub real: LoadResult,
    /// The bare route with the same bytes.
    pub bare: LoadResult,
    /// Whether the issue sets the 50% goal for it.
    pub has_goal: bool,
}

/// One SSE fan-out run.
#[derive(Debug, Clone)]
pub struct FanOutRow {
    /// Clients asked for.
    pub clients: usize,
    /// Clients that got `connected`.
    pub connected: usize,
    /// How long connecting them all took.
    pub connect_time: Duration,
    /// The first client error, if any.
    pub error: Option<String>,
    /// The write timings.
    pub fan_out: FanOut,
    /// Server memory before the clients came.
    pub before: Memory,
    /// With every client connected.
    pub held: Memory,
    /// 2 s after they left, before any event went out.
    pub left_quiet: Memory,
    /// After two more events went out, and 2 s.
    pub after: Memory,
    /// The write → last client p99 goal.
    pub goal_p99: Duration,
    /// The server memory goal while held, in bytes, if any.
    pub goal_memory_bytes: Option<u64>,
}

/// Idle WebSocket clients.
#[derive(Debug, Clone)]
pub struct WsRow {
    /// Clients asked for.
    pub clients: usize,
    /// Clients that got `connected`.
    pub connected: usize,
    /// Server memory before.
    pub before: Memory,
    /// With every client connected.
    pub held: Memory,
    /// A while after they left.
    pub after: Memory,
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// `full` or `quick`.
    pub mode: String,
    /// A line describing the tree.
    pub tree: String,
    /// Start to `listening on`, empty tree (median).
    pub start_empty: Duration,
    /// Start to the first `?limit=all` answer, empty tree (median).
    pub first_list_empty: Duration,
    /// Start to `listening on`, full tree.
    pub start_full: Duration,
    /// Start to the first `?limit=all` answer, full tree.
    pub cold_index: Duration,
    /// A second `?limit=all` right after.
    pub warm_list: Duration,
    /// Server memory after the cold index.
    pub after_index: Memory,
    /// The load rows.
    pub endpoints: Vec<EndpointRow>,
    /// Right after the load.
    pub after_load: Memory,
    /// Five seconds after the load.
    pub after_load_rest: Memory,
    /// Append → reflected, each try.
    pub appends: Vec<Duration>,
    /// How long one poll of `?limit=all` took during the append test (median).
    pub append_poll: Duration,
    /// SSE runs.
    pub fan_outs: Vec<FanOutRow>,
    /// Idle WebSocket clients.
    pub websockets: Option<WsRow>,
    /// Server memory at the end.
    pub end: Memory,
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

fn mib(memory: &Memory) -> String {
    format!("{:.1} MiB", memory.rss_mib())
}

fn mib_fds(memory: &Memory) -> String {
    format!("{:.1} MiB | {}", memory.rss_mib(), memory.fds)
}

fn per_client_kib(before: &Memory, held: &Memory, clients: usize) -> String {
    let delta = held.rss_kib as f64 - before.rss_kib as f64;
    format!(
        "{:+.1} MiB = {:.1} KiB per client",
        delta / 1024.0,
        delta / clients.max(1) as f64
    )
}

fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn p(sorted: &[Duration], q: f64) -> String {
    if sorted.is_empty() {
        return "—".into();
    }
    format!("{:.2}", ms(percentile(sorted, q)))
}

/// The report as Markdown, ready to paste into `BENCHMARKS.md`.
pub fn render(r: &Results) -> String {
    let mut out = String::new();
    match write_report(&mut out, r) {
        Ok(()) => out,
        // Writing to a String does not fail; `fmt::Write` only says it could.
        Err(_) => "the report could not be formatted".into(),
    }
}

fn write_report(out: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(out, "Run: `{}`. {}", r.mode, r.tree)?;
    writeln!(out)?;
    writeln!(
        out,
        "| endpoint | body | flow-server req/s (requests) | p50 / p99 ms | bare route req/s | p50 / p99 ms | ratio | goal | |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
    for e in &r.endpoints {
        let ratio = e.real.per_second / e.bare.per_second.max(1e-9);
        let (goal, result) = if e.has_goal {
            ("≥ 50%", verdict(ratio >= 0.5))
        } else {
            ("—", "")
        };
        writeln!(
            out,
            "| `{}` | {} | {:.1} ({}) | {:.2} / {:.2} | {:.0} | {:.2} / {:.2} | {:.1}% | {goal} | {result} |",
            e.path,
            size(e.body_bytes),
            e.real.per_second,
            e.real.requests,
            ms(e.real.p50),
            ms(e.real.p99),
            e.bare.per_second,
            ms(e.bare.p50),
            ms(e.bare.p99),
            ratio * 100.0
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "| `/api/events` | connected | write → last client p50 / p99 ms | all deliveries p50 / p99 ms | first → last client p50 / p99 ms | missed | server RSS held | goal | |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
    for f in &r.fan_outs {
        let p99 = (!f.fan_out.to_last.is_empty()).then(|| percentile(&f.fan_out.to_last, 0.99));
        let latency_ok = p99.is_some_and(|p99| p99 <= f.goal_p99) && f.connected == f.clients;
        let memory_ok = f
            .goal_memory_bytes
            .is_none_or(|limit| f.held.rss_kib * 1024 < limit);
        let goal = match f.goal_memory_bytes {
            Some(limit) => format!(
                "p99 ≤ {} ms, RSS < {} MB",
                ms(f.goal_p99),
                limit / 1_000_000
            ),
            None => format!("p99 ≤ {} ms", ms(f.goal_p99)),
        };
        writeln!(
            out,
            "| {} clients | {} (in {:.1} s) | {} / {} | {} / {} | {} / {} | {} | {} | {goal} | {} |",
            f.clients,
            f.connected,
            f.connect_time.as_secs_f64(),
            p(&f.fan_out.to_last, 0.5),
            p(&f.fan_out.to_last, 0.99),
            p(&f.fan_out.deliveries, 0.5),
            p(&f.fan_out.deliveries, 0.99),
            p(&f.fan_out.spread, 0.5),
            p(&f.fan_out.spread, 0.99),
            f.fan_out.missed,
            mib(&f.held),
            verdict(latency_ok && memory_ok)
        )?;
    }
    for f in &r.fan_outs {
        if let Some(error) = &f.error {
            writeln!(out, "\n{} clients: first client error: {error}", f.clients)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "| start, index, append | figure | goal | |")?;
    writeln!(out, "|---|---|---|---|")?;
    writeln!(
        out,
        "| empty tree: start → listening / → first `?limit=all` | {:.0} / {:.0} ms | — | |",
        ms(r.start_empty),
        ms(r.first_list_empty)
    )?;
    writeln!(
        out,
        "| full tree: start → listening | {:.0} ms | — | |",
        ms(r.start_full)
    )?;
    let beyond_empty = r.cold_index.saturating_sub(r.first_list_empty);
    writeln!(
        out,
        "| cold index: start → first `?limit=all` answer (less the empty tree's) | {:.2} s ({:.2} s) | ≤ 3 s | {} |",
        r.cold_index.as_secs_f64(),
        beyond_empty.as_secs_f64(),
        verdict(beyond_empty <= Duration::from_secs(3))
    )?;
    writeln!(
        out,
        "| the next `?limit=all` | {:.1} ms | — | |",
        ms(r.warm_list)
    )?;
    let mut appends = r.appends.clone();
    appends.sort();
    let append_median = percentile(&appends, 0.5);
    writeln!(
        out,
        "| append a line to the 100 MiB transcript → `?limit=all` shows it (median / max of {}; one poll takes {:.1} ms) | {} / {} ms | ≤ 100 ms | {} |",
        appends.len(),
        ms(r.append_poll),
        p(&appends, 0.5),
        p(&appends, 1.0),
        verdict(!appends.is_empty() && append_median <= Duration::from_millis(100))
    )?;
    writeln!(out)?;
    writeln!(out, "| flow-server memory | VmRSS | open fds |")?;
    writeln!(out, "|---|---|---|")?;
    writeln!(
        out,
        "| after the cold index | {} |",
        mib_fds(&r.after_index)
    )?;
    writeln!(
        out,
        "| right after the request load | {} |",
        mib_fds(&r.after_load)
    )?;
    writeln!(out, "| 5 s later | {} |", mib_fds(&r.after_load_rest))?;
    if let Some(w) = &r.websockets {
        writeln!(
            out,
            "| {} idle WebSocket clients on `/api/ws` ({}) | {} |",
            w.connected,
            per_client_kib(&w.before, &w.held, w.connected),
            mib_fds(&w.held)
        )?;
        writeln!(out, "| after they leave (2 s) | {} |", mib_fds(&w.after))?;
        if w.connected != w.clients {
            writeln!(out, "| (asked for {} WebSocket clients) | | |", w.clients)?;
        }
    }
    for f in &r.fan_outs {
        writeln!(
            out,
            "| {} idle SSE clients ({}) | {} |",
            f.connected,
            per_client_kib(&f.before, &f.held, f.connected),
            mib_fds(&f.held)
        )?;
        writeln!(
            out,
            "| 2 s after they leave, no event sent yet | {} |",
            mib_fds(&f.left_quiet)
        )?;
        writeln!(
            out,
            "| then two events sent, 2 s later | {} |",
            mib_fds(&f.after)
        )?;
    }
    writeln!(
        out,
        "| at the end (peak VmHWM {:.1} MiB) | {} |",
        r.end.peak_mib(),
        mib_fds(&r.end)
    )?;
    Ok(())
}
