// End to end: the Model Hub against the real flow-server binary in headless Chromium. A real
// GGUF model (FLOW_TEST_MODEL) is served by a loopback HTTP server inside this test, downloaded
// through the catalog with live progress, loaded into the in-process runtime, and run from the
// playground while its tokens stream into the page and the header's token ticker.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server \
//   FLOW_TEST_MODEL=$HOME/.cache/flow-ci/models/gemma-3-270m-q4_k_m.gguf \
//     node --test models.e2e.test.mjs
//
// The server is given PUBLIC_DIR=frontend/dist when that build exists (and PUBLIC_DIR is not
// set), so the page is the UI just built rather than the one embedded when the binary was built.

import assert from "node:assert/strict";
import { existsSync, createReadStream, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const BUILT_UI = path.resolve(here, "../../frontend/dist");

const MODEL_FILE = "gemma-3-270m-q4_k_m.gguf";
const MODEL_SIZE = 253_113_024;
const MODEL_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";
const MODEL_NAME = "Gemma 3 270M (loopback)";
/** The static server writes this much, then pauses, so the download's progress is observable. */
const CHUNK_BYTES = 1024 * 1024;
const CHUNK_PAUSE_MS = 8;
/** Downloading and verifying 250 MB, loading and generating run well past the UI timeout. */
const DOWNLOAD_TIMEOUT_MS = 240_000;
const LOAD_TIMEOUT_MS = 120_000;
const GENERATE_TIMEOUT_MS = 180_000;

/** The model file to serve: FLOW_TEST_MODEL, checked to be the expected file. */
function testModel() {
  const file = process.env.FLOW_TEST_MODEL;
  if (file === undefined || file === "") {
    throw new Error(
      `FLOW_TEST_MODEL is not set. Point it at ${MODEL_FILE} (${MODEL_SIZE} bytes), e.g. ` +
        `FLOW_TEST_MODEL=$HOME/.cache/flow-ci/models/${MODEL_FILE}; ./dev test sets it.`,
    );
  }
  if (!existsSync(file)) throw new Error(`FLOW_TEST_MODEL=${file} does not exist.`);
  const size = statSync(file).size;
  if (size !== MODEL_SIZE) throw new Error(`FLOW_TEST_MODEL=${file} has ${size} bytes; expected ${MODEL_FILE} with ${MODEL_SIZE}.`);
  return file;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `Range: bytes=a-b` (or `a-`, or `-n`) as inclusive [start, end]; null when absent; "bad" when unsatisfiable. */
function parseRange(header, size) {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return null;
  const [, from, to] = match;
  let start;
  let end;
  if (from === "") {
    if (to === "") return "bad";
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start >= size || start > end) return "bad";
  return { start, end };
}

/**
 * A loopback static server for one file at `/<name>`: Content-Length, Accept-Ranges and `Range`
 * (206 + Content-Range), written in 1 MiB chunks with a short pause after each.
 */
async function startModelServer(file, name) {
  const size = statSync(file).size;
  const requests = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.range ?? ""}`.trim());
    if (request.url !== `/${name}` || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const range = parseRange(request.headers.range, size);
    if (range === "bad") {
      response.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    const headers = {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    };
    if (range !== null) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    response.writeHead(range !== null ? 206 : 200, headers);
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    const stream = createReadStream(file, { start, end, highWaterMark: CHUNK_BYTES });
    response.on("close", () => stream.destroy());
    (async () => {
      for await (const chunk of stream) {
        if (response.destroyed) return;
        if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
        await sleep(CHUNK_PAUSE_MS);
      }
      response.end();
    })().catch(() => response.destroy());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
/** @type {Awaited<ReturnType<typeof startModelServer>> | undefined} */
let modelServer;

before(async () => {
  const file = testModel();
  modelServer = await startModelServer(file, MODEL_FILE);
  const dirs = await freshDirs("flow-models-e2e-");
  // The catalog override: one entry, downloaded from the loopback server and verified.
  const llms = path.join(dirs.env.FLOW_STUDIO_DIR, "llms");
  await mkdir(llms, { recursive: true });
  const catalog = [
    {
      id: "gemma-3-270m-loopback",
      name: MODEL_NAME,
      family: "gemma3",
      parameters: "270M",
      quantization: "Q4_K_M",
      sizeBytes: MODEL_SIZE,
      contextLength: 32768,
      ramBytes: 536870912,
      sha256: MODEL_SHA256,
      url: modelServer.url,
      fileName: MODEL_FILE,
    },
  ];
  await writeFile(path.join(llms, "catalog.json"), `${JSON.stringify(catalog, null, 2)}\n`);
  const env = { ...dirs.env };
  if (process.env.PUBLIC_DIR === undefined && existsSync(path.join(BUILT_UI, "index.html"))) env.PUBLIC_DIR = BUILT_UI;
  session = await startBrowserSession(dirs.root, env);
});

after(async () => {
  await session?.close();
  await modelServer?.close();
});

/**
 * Samples, every few ms in the page, what the test cannot reliably catch between Playwright
 * calls: download progress positions, the playground output's lengths, and the token ticker.
 */
function installSampler(page) {
  return page.evaluate(() => {
    const seen = { progress: [], lengths: [], tickerWhileRunning: false, tickerTexts: [] };
    window.__flowSampler = seen;
    setInterval(() => {
      for (const bar of document.querySelectorAll('progress[aria-label$="download progress"]')) {
        if (bar.hasAttribute("value") && bar.max > 0) {
          const percent = (bar.value / bar.max) * 100;
          if (seen.progress.at(-1) !== percent) seen.progress.push(percent);
        }
      }
      const output = document.querySelector('[data-testid="playground-output"]');
      const ticker = document.querySelector('[data-testid="token-ticker"]');
      if (output !== null) {
        const length = (output.textContent ?? "").length;
        if (length > 0 && !seen.lengths.includes(length)) seen.lengths.push(length);
        if (ticker !== null && output.getAttribute("data-status") === "running") seen.tickerWhileRunning = true;
      }
      if (ticker !== null) {
        const text = ticker.textContent ?? "";
        if (seen.tickerTexts.at(-1) !== text) seen.tickerTexts.push(text);
      }
    }, 5);
  });
}

const sampled = (page) => page.evaluate(() => window.__flowSampler);

describe("the Model Hub against flow-server", () => {
  test("downloads a catalog model with progress, loads it, and streams a playground generation", async () => {
    assert.ok(session, "the server or the browser did not start (see the before() hook's error)");
    const context = await session.browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(session.loginUrl);
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      await page.goto(`${session.origin}/models`);
      await page.getByRole("heading", { name: "Models", level: 1 }).waitFor();
      await page.getByTestId("llm-status").filter({ hasText: "0 / 1 loaded" }).waitFor();
      await installSampler(page);

      // Download from the catalog: a progress bar shows part-way values.
      const catalog = page.getByRole("region", { name: "Catalog" });
      const entry = catalog.getByRole("row").filter({ hasText: MODEL_NAME });
      await entry.getByRole("button", { name: "Download" }).click();
      await page.getByRole("progressbar", { name: `${MODEL_NAME} download progress` }).waitFor();
      await page.waitForFunction(() => window.__flowSampler.progress.some((percent) => percent > 0 && percent < 100), null, {
        timeout: DOWNLOAD_TIMEOUT_MS,
      });

      // Verified and installed: it is listed with a Load button, and the catalog says Installed.
      const load = page.getByRole("button", { name: `Load ${MODEL_FILE}` });
      await load.waitFor({ timeout: DOWNLOAD_TIMEOUT_MS });
      await entry.getByText("Installed").waitFor();
      const { progress } = await sampled(page);
      assert.ok(
        progress.some((percent) => percent > 0 && percent < 100),
        `expected a part-way download progress; saw ${JSON.stringify(progress)}`,
      );
      assert.ok(modelServer.requests.some((line) => line.startsWith(`GET /${MODEL_FILE}`)), modelServer.requests.join("\n"));

      // Load it: the resident indicator and the runtime summary show it.
      await load.click();
      await page.getByTestId(`resident-${MODEL_FILE}`).waitFor({ timeout: LOAD_TIMEOUT_MS });
      await page.getByRole("button", { name: `Unload ${MODEL_FILE}` }).waitFor();
      await page.getByTestId("llm-status").filter({ hasText: "1 / 1 loaded" }).waitFor();

      // Generate in the playground: tokens stream into the output and the header's ticker.
      const playground = page.getByRole("region", { name: "Playground" });
      await playground.getByLabel("Model").selectOption(MODEL_FILE);
      await playground.getByLabel("Prompt", { exact: true }).fill("The capital of France is");
      await playground.getByLabel("Max tokens").fill("24");
      await playground.getByLabel("Temperature").fill("0");
      await playground.getByLabel("Seed").fill("7");
      await playground.getByRole("button", { name: "Generate" }).click();

      const ticker = page.getByTestId("token-ticker");
      await ticker.waitFor({ timeout: GENERATE_TIMEOUT_MS });
      assert.match((await ticker.textContent()) ?? "", /\d+ tokens?/);
      const stats = playground.getByTestId("playground-stats");
      await stats.waitFor({ timeout: GENERATE_TIMEOUT_MS });

      const output = playground.getByTestId("playground-output");
      const text = ((await output.textContent()) ?? "").trim();
      assert.ok(text.length > 0, "the playground produced no text");
      const statsText = (await stats.textContent()) ?? "";
      assert.match(statsText, /(Finished|Reached max tokens)/);
      assert.match(statsText, /\d+ tokens?/);
      assert.match(statsText, /tokens\/s|first token in/);

      const seen = await sampled(page);
      assert.ok(seen.tickerTexts.length > 0, "the token ticker never showed");
      assert.ok(seen.tickerWhileRunning, "the token ticker did not show while the playground was generating");
      assert.ok(
        seen.lengths.length >= 2,
        `expected the output to grow token by token; saw lengths ${JSON.stringify(seen.lengths)} (final ${JSON.stringify(text)})`,
      );
      // Printed for the CI log: what the model said and how it streamed.
      console.log(`generated ${JSON.stringify(text)}; output lengths seen ${JSON.stringify(seen.lengths)}; ${statsText}`);

      // The ticker goes away a few seconds after the last token.
      await ticker.waitFor({ state: "hidden", timeout: 15_000 });
    } catch (error) {
      await annotateFailure(error, "models-download-load-generate", context.pages(), session?.server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
});
