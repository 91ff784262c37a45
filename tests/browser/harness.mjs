// Shared by the browser tests: the real flow-server on a free loopback port, the system
// Chromium, and screenshots of failing pages.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const artifactsDir = path.join(here, "artifacts");
export const UI_TIMEOUT_MS = 15_000;
const LOGIN_URL_PATTERN = /Login URL: (http:\/\/\S+)/;
const STARTUP_TIMEOUT_MS = 30_000;

function serverBinary() {
  const bin = process.env.FLOW_SERVER_BIN;
  if (bin === undefined || bin === "") {
    throw new Error(
      "FLOW_SERVER_BIN is not set. Build the server (cargo build -p flow-server) and run with " +
        "FLOW_SERVER_BIN=<repo>/target/debug/flow-server.",
    );
  }
  if (!existsSync(bin)) throw new Error(`FLOW_SERVER_BIN=${bin} does not exist.`);
  return bin;
}

/**
 * Starts flow-server on 127.0.0.1:0 with `env` added (data and Claude directories) and no
 * configured token, so it makes one and prints its login URL, which this resolves with.
 */
export async function startServer(env) {
  const fullEnv = { ...process.env, FLOW_SERVER_ADDR: "127.0.0.1:0", OPEN_BROWSER: "false", ...env };
  delete fullEnv.FLOW_SERVER_TOKEN;
  const child = spawn(serverBinary(), [], { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const loginUrl = await new Promise((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => {
      fail(new Error(`flow-server printed no "Login URL: ..." line within ${STARTUP_TIMEOUT_MS / 1000} s.`));
    }, STARTUP_TIMEOUT_MS);
    function fail(error) {
      clearTimeout(timer);
      error.message += `\n--- flow-server output ---\n${output}\n--------------------------`;
      reject(error);
    }
    child.stdout?.on("data", (chunk) => {
      const text = chunk.toString("utf8");
      output += text;
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = LOGIN_URL_PATTERN.exec(line);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
          return;
        }
      }
    });
    // Captured for diagnostics only; the URL is expected on stdout.
    child.stderr?.on("data", (chunk) => {
      output += chunk.toString("utf8");
    });
    child.once("error", (error) => fail(new Error(`could not start flow-server: ${error.message}`)));
    child.once("exit", (code, signal) =>
      fail(new Error(`flow-server exited before printing its login URL (code ${code}, signal ${signal}).`)),
    );
  });
  return {
    loginUrl,
    origin: new URL(loginUrl).origin,
    output: () => output,
    /** SIGTERM, then SIGKILL after 10 s. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 10_000));
      if ((await Promise.race([exited, timeout])) === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Debian's Chromium (CHROMIUM_PATH overrides); playwright-core never downloads a browser. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Saves a full-page screenshot of each page as artifacts/<slug>-page<N>.png; returns the pattern. */
export async function saveScreenshots(name, pages) {
  await mkdir(artifactsDir, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  let index = 0;
  for (const page of pages) {
    index += 1;
    await page.screenshot({ path: path.join(artifactsDir, `${slug}-page${index}.png`), fullPage: true }).catch(() => {});
  }
  return path.join(artifactsDir, `${slug}-page*.png`);
}

/**
 * Adds screenshots of `pages` (saved under artifacts/) and the tail of the server's output to a
 * failing test's error, so a CI log alone explains the failure.
 */
export async function annotateFailure(error, name, pages, server) {
  const shots = await saveScreenshots(name, pages);
  if (error instanceof Error) {
    error.message += `\n(screenshots: ${shots})\n--- flow-server output (tail) ---\n${server?.output().slice(-4000) ?? ""}`;
  }
}

/** A new temporary folder with empty `studio`, `tasks` and `projects` folders, as server env. */
export async function freshDirs(prefix) {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const env = {
    FLOW_STUDIO_DIR: path.join(root, "studio"),
    TASKS_DIR: path.join(root, "tasks"),
    PROJECTS_DIR: path.join(root, "projects"),
  };
  await Promise.all(Object.values(env).map((dir) => mkdir(dir)));
  return { root, env };
}

/**
 * flow-server on `env` plus Chromium, for one test file; `close()` stops both and removes `root`
 * (the temporary folder the env points into).
 */
export async function startBrowserSession(root, env) {
  const server = await startServer(env);
  let browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    loginUrl: server.loginUrl,
    origin: server.origin,
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Calls a command through the invoke bridge from inside `page` (its session authorises it); rejects on an error answer. */
export async function invoke(page, origin, cmd, args) {
  return page.evaluate(
    async ({ base, cmd, args }) => {
      const response = await fetch(`${base}/api/invoke/${cmd}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`${cmd}: ${JSON.stringify(body)}`);
      return body;
    },
    { base: origin, cmd, args },
  );
}
