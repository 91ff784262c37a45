import type { CatalogModel, Client, InstalledModel, LlmStatus, ModelDownload } from "@flow/bindings";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TokenTickerChip } from "../app/TokenTicker";
import { HostProvider, type Host } from "../host";
import { createStore } from "../host/store";
import { CatalogTable } from "./CatalogTable";
import { DownloadRow } from "./DownloadRow";
import { ImportModel } from "./ImportModel";
import { InstalledTable } from "./InstalledTable";
import { RuntimeLine } from "./RuntimeLine";
import { Playground, PlaygroundOutput, pickModel } from "./Playground";
import { llmStatus, loadedModel as loaded } from "./test-fixtures";
import { IDLE_TICKER, tickerReducer } from "./token-ticker";

/** The runtime this page's tests start from: one model allowed, a 4 GB budget. */
function status(overrides: Partial<LlmStatus> = {}): LlmStatus {
  return llmStatus({ maxLoadedModels: 1, memory: { residentBytes: 0, budgetBytes: 4_000_000_000 }, ...overrides });
}

const noop = () => undefined;
const never = () => new Promise<never>(noop);



/** A host that never answers, for rendering components that call useHost. */
function withHost(children: ReactNode): string {
  const host: Host = {
    client: {} as Client,
    subscribe: () => noop,
    followRun: () => noop,
    connection: createStore("open" as const),
    start: noop,
    capabilities: { session: null, modelImport: { kind: "path", importFile: never }, oauth: { kind: "loopback" } },
  };
  return renderToStaticMarkup(<HostProvider host={host}>{children}</HostProvider>);
}

function row(download: Partial<ModelDownload>): string {
  const full: ModelDownload = {
    id: "gemma",
    fileName: "gemma.gguf",
    status: "downloading",
    bytes: 250_000_000,
    total: 1_000_000_000,
    rateBps: 5_000_000,
    etaSecs: 150,
    error: null,
    ...download,
  };
  return renderToStaticMarkup(
    <DownloadRow download={full} name="Gemma" busy={false} onPause={noop} onResume={noop} onCancel={noop} />,
  );
}

const buttons = (html: string) => [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((match) => match[1]);

describe("DownloadRow", () => {
  it("shows progress, bytes, rate and time left while downloading", () => {
    const html = row({});
    expect(html).toContain('aria-label="Gemma download progress"');
    expect(html).toContain('value="0.25"');
    expect(html).toContain("250 MB / 1.00 GB (25%)");
    expect(html).toContain("5.00 MB/s");
    expect(html).toContain("2 min 30 s left");
    expect(buttons(html)).toEqual(["Pause", "Cancel"]);
  });

  it("offers resume for paused and failed downloads, showing the error", () => {
    expect(buttons(row({ status: "paused", rateBps: 0, etaSecs: null }))).toEqual(["Resume", "Cancel"]);
    const failed = row({ status: "failed", error: "checksum mismatch" });
    expect(failed).toContain("checksum mismatch");
    expect(buttons(failed)).toEqual(["Resume", "Cancel"]);
    expect(buttons(row({ status: "verifying" }))).toEqual([]);
  });
});

describe("CatalogTable and InstalledTable", () => {
  const model = (id: string): CatalogModel => ({
    id,
    name: `Model ${id}`,
    family: "gemma3",
    parameters: "270M",
    quantization: "Q4_K_M",
    sizeBytes: 253_000_000,
    contextLength: 32_768,
    ramBytes: 600_000_000,
    url: "https://example.invalid/m.gguf",
    fileName: `${id}.gguf`,
  });

  it("marks installed entries and offers Download for the rest", () => {
    const html = renderToStaticMarkup(
      <CatalogTable
        models={[model("a"), model("b"), model("c")]}
        installed={[{ fileName: "a.gguf", sizeBytes: 1 }]}
        downloads={[{ id: "c", fileName: "c.gguf", status: "paused", bytes: 1, total: 2, rateBps: 0, etaSecs: null, error: null }]}
        pending={new Set()}
        onDownload={noop}
      />,
    );
    expect(html).toContain("Installed");
    expect(html).toContain("Paused");
    expect(buttons(html)).toEqual(["Download"]);
    expect(html).toContain("253 MB");
    expect(html).toContain("600 MB");
    expect(html).toContain("32,768 tokens");
  });

  it("shows header parse errors for installed files", () => {
    const html = renderToStaticMarkup(
      <InstalledTable
        models={[
          { fileName: "ok.gguf", sizeBytes: 2_000_000_000, architecture: "llama", quantization: "Q8_0", contextLength: 8_192 },
          { fileName: "broken.gguf", sizeBytes: 10, error: "not a GGUF file" },
        ]}
        status={null}
        pending={new Set()}
        onLoad={noop}
        onUnload={noop}
        onDelete={noop}
      />,
    );
    expect(html).toContain("llama");
    expect(html).toContain("8,192 tokens");
    expect(html).toContain("2.00 GB");
    expect(html).toContain("Could not read its header: not a GGUF file");
  });
});

describe("installed models and the local runtime", () => {
  const models: InstalledModel[] = [
    { fileName: "gemma.gguf", sizeBytes: 253_000_000, architecture: "gemma3" },
    { fileName: "qwen.gguf", sizeBytes: 491_000_000, architecture: "qwen2" },
    { fileName: "broken.gguf", sizeBytes: 10, error: "not a GGUF file" },
  ];
  const table = (llm: LlmStatus | null, pending: ReadonlySet<string> = new Set()) =>
    renderToStaticMarkup(<InstalledTable models={models} status={llm} pending={pending} onLoad={noop} onUnload={noop} onDelete={noop} />);

  it("offers Load for unloaded files and Unload plus a resident indicator for loaded ones", () => {
    const html = table(status({ loaded: [loaded("gemma.gguf", { activeRequests: 1 })] }));
    expect(html).toContain('aria-label="Unload gemma.gguf"');
    expect(html).toContain('aria-label="Load qwen.gguf"');
    expect(html).not.toContain('aria-label="Load gemma.gguf"');
    expect(html).toContain('data-testid="resident-gemma.gguf"');
    expect(html).not.toContain('data-testid="resident-qwen.gguf"');
    expect(html).toContain("Loaded · 253 MB · in use");
    expect(html).toContain('data-in-use="true"');
    expect(html).toContain('aria-label="Delete gemma.gguf"');
    expect(html).toContain('aria-label="Delete broken.gguf"');
    // A file whose header could not be read cannot be loaded.
    expect(html).toMatch(/<button[^>]*aria-label="Load broken.gguf"[^>]*disabled=""/);
    expect(html).not.toMatch(/<button[^>]*aria-label="Load qwen.gguf"[^>]*disabled=""/);
  });

  it("disables a file's buttons while a command for it runs, and Load when local models are off", () => {
    const busy = table(status(), new Set(["model:qwen.gguf"]));
    expect(busy).toMatch(/<button[^>]*aria-label="Load qwen.gguf"[^>]*disabled=""/);
    expect(busy).toMatch(/<button[^>]*aria-label="Delete qwen.gguf"[^>]*disabled=""/);
    expect(busy).not.toMatch(/<button[^>]*aria-label="Load gemma.gguf"[^>]*disabled=""/);
    const off = table(status({ enabled: false }));
    expect(off).toMatch(/<button[^>]*aria-label="Load gemma.gguf"[^>]*disabled=""/);
  });

  it("summarises the runtime", () => {
    const html = renderToStaticMarkup(
      <RuntimeLine status={status({ loaded: [loaded("gemma.gguf")], memory: { residentBytes: 253_000_000, budgetBytes: 4_000_000_000 }, generating: 1, queued: 2 })} />,
    );
    expect(html).toContain('data-testid="llm-status"');
    expect(html).toContain("1 / 1 loaded · 253 MB of 4.00 GB resident · 1 generating · 2 queued");
    expect(html).toContain('data-busy="true"');
    expect(renderToStaticMarkup(<RuntimeLine status={status({ enabled: false })} />)).toContain("Turned off");
  });
});

describe("importing a GGUF file", () => {
  it("uploads a chosen file over HTTP", () => {
    const html = renderToStaticMarkup(<ImportModel modelImport={{ kind: "upload", upload: never }} onImported={noop} />);
    expect(html).toContain('type="file"');
    expect(html).toContain('accept=".gguf"');
    expect(html).toMatch(/<button type="submit"[^>]*disabled=""[^>]*>Upload<\/button>/);
    expect(html).not.toContain('type="text"');
  });

  it("imports by path in the desktop edition", () => {
    const html = renderToStaticMarkup(<ImportModel modelImport={{ kind: "path", importFile: never }} onImported={noop} />);
    expect(html).toContain('placeholder="/path/to/model.gguf"');
    expect(html).toContain(">Import</button>");
    expect(html).not.toContain('type="file"');
  });
});

describe("playground", () => {
  const models: InstalledModel[] = [
    { fileName: "gemma.gguf", sizeBytes: 1 },
    { fileName: "qwen.gguf", sizeBytes: 1 },
  ];

  it("picks the chosen model, else the most recently used loaded one, else the first", () => {
    expect(pickModel("qwen.gguf", models, [])).toBe("qwen.gguf");
    expect(pickModel("", models, [loaded("gone.gguf"), loaded("qwen.gguf")])).toBe("qwen.gguf");
    expect(pickModel("gone.gguf", models, [])).toBe("gemma.gguf");
    expect(pickModel("", [], [])).toBe("");
  });

  it("renders the form with the installed models", () => {
    const html = withHost(<Playground models={models} loaded={[loaded("qwen.gguf")]} />);
    expect(html).toContain("qwen.gguf (loaded)");
    expect(html).toMatch(/<option value="qwen.gguf" selected="">/);
    expect(buttons(html)).toEqual(["Generate"]);
    expect(html).toContain("System prompt");
    expect(html).toContain("Max tokens");
    expect(html).toContain("Temperature");
    expect(html).toContain("Seed");
    expect(html).not.toContain("playground-output");
    expect(withHost(<Playground models={[]} loaded={[]} />)).toContain("Install a model to try it here.");
  });

  it("shows the streamed text while running, then the finish stats", () => {
    const base = { requestId: "r", nextIndex: 2, stopping: false, result: null, error: null };
    const running = renderToStaticMarkup(<PlaygroundOutput run={{ ...base, status: "running", text: "The capital" }} />);
    expect(running).toContain('data-testid="playground-output"');
    expect(running).toContain("The capital");
    expect(running).toContain('aria-busy="true"');
    expect(running).not.toContain("playground-stats");

    const done = renderToStaticMarkup(
      <PlaygroundOutput
        run={{
          ...base,
          status: "done",
          text: "The capital of France is Paris.",
          result: {
            requestId: "r",
            model: "gemma.gguf",
            text: "The capital of France is Paris.",
            finishReason: "length",
            promptTokens: 9,
            completionTokens: 24,
            timeToFirstTokenMs: 120,
            durationMs: 800,
            tokensPerSecond: 30,
          },
        }}
      />,
    );
    expect(done).toContain('data-testid="playground-stats"');
    expect(done).toContain("Reached max tokens");
    expect(done).toContain("24 tokens");
    expect(done).toContain("30.0 tokens/s");
    expect(done).toContain("first token in 120 ms");

    const failed = renderToStaticMarkup(
      <PlaygroundOutput run={{ ...base, status: "failed", text: "", error: { kind: "Unavailable", error: "local models are turned off" } }} />,
    );
    expect(failed).toContain("Not available right now: local models are turned off");
  });
});

describe("header token ticker", () => {
  it("shows nothing while idle, then the count, rate and tail of the burst", () => {
    expect(renderToStaticMarkup(<TokenTickerChip state={IDLE_TICKER} />)).toBe("");
    const state = [
      { at: 0, delta: "The capital" },
      { at: 500, delta: " of France" },
      { at: 1_000, delta: " is Paris." },
    ].reduce((current, { at, delta }) => tickerReducer(current, { type: "token", at, requestId: "r", model: "gemma.gguf", delta }), IDLE_TICKER);
    const html = renderToStaticMarkup(<TokenTickerChip state={state} />);
    expect(html).toContain('data-testid="token-ticker"');
    expect(html).toContain("3 tokens · 2.0 tok/s");
    expect(html).toContain("The capital of France is Paris.");
    expect(html).toContain("gemma.gguf is generating");
  });
});
