import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpTransport, type Transport } from "@flow/bindings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

// A real server: the transport is exercised through Node's fetch and a socket, not a mock.
let server: Server;
let baseUrl: string;
let lastRequest: Seen | null = null;

function reply(res: ServerResponse, status: number, body: string, contentType = "application/json") {
  res.writeHead(status, { "Content-Type": contentType });
  res.end(body);
}

function route(req: IncomingMessage, res: ServerResponse, body: string) {
  lastRequest = {
    method: req.method,
    url: req.url,
    authorization: req.headers.authorization,
    contentType: req.headers["content-type"],
    body,
  };
  switch (req.url) {
    case "/api/invoke/app_info":
      reply(res, 200, JSON.stringify({ name: "Flow", version: "0.1.0", edition: "server", dataDir: "/tmp/x" }));
      return;
    case "/api/invoke/settings_update":
      reply(res, 400, JSON.stringify({ kind: "InvalidInput", error: "max_parallel_nodes must be between 1 and 64" }));
      return;
    case "/api/invoke/theme_get":
      reply(res, 401, JSON.stringify({ kind: "Unauthorized", error: "missing or invalid token" }));
      return;
    case "/api/invoke/theme_set":
      reply(res, 502, "<html>Bad Gateway</html>", "text/html");
      return;
    case "/api/invoke/theme_list":
      reply(res, 500, JSON.stringify({ message: "not an AppError" }));
      return;
    case "/api/invoke/settings_manifest":
      reply(res, 503, JSON.stringify({ kind: "Unavailable", error: "shutting down" }));
      return;
    default:
      reply(res, 404, JSON.stringify({ kind: "NotFound", error: `no route ${req.url ?? ""}` }));
      return;
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      route(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => {
      if (error) reject(error);
      else resolve();
    });
  });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to reject");
}

describe("createHttpTransport", () => {
  it("POSTs the args as JSON to /api/invoke/{command} and resolves with the parsed body", async () => {
    const transport = createHttpTransport({ baseUrl });
    const result = await transport.invoke("app_info", { probe: 1 });
    expect(result).toEqual({ name: "Flow", version: "0.1.0", edition: "server", dataDir: "/tmp/x" });
    expect(lastRequest).toMatchObject({ method: "POST", url: "/api/invoke/app_info", contentType: "application/json" });
    expect(JSON.parse(lastRequest?.body ?? "")).toEqual({ probe: 1 });
  });

  it("sends a bearer token only when one was given", async () => {
    await createHttpTransport({ baseUrl }).invoke("app_info", {});
    expect(lastRequest?.authorization).toBeUndefined();
    await createHttpTransport({ baseUrl, token: "s3cret" }).invoke("app_info", {});
    expect(lastRequest?.authorization).toBe("Bearer s3cret");
  });

  it("rejects with the server's AppError as-is", async () => {
    const transport = createHttpTransport({ baseUrl });
    expect(await rejection(transport.invoke("settings_update", { patch: { max_parallel_nodes: 1000 } }))).toEqual({
      kind: "InvalidInput",
      error: "max_parallel_nodes must be between 1 and 64",
    });
    expect(await rejection(transport.invoke("theme_get", {}))).toEqual({ kind: "Unauthorized", error: "missing or invalid token" });
    expect(await rejection(transport.invoke("settings_manifest", {}))).toEqual({ kind: "Unavailable", error: "shutting down" });
  });

  it("maps a non-AppError failure body to Internal with the status and the text", async () => {
    const transport = createHttpTransport({ baseUrl });
    const html = await rejection(transport.invoke("theme_set", { theme: "aurora" }));
    expect(html).toMatchObject({ kind: "Internal" });
    expect((html as { error: string }).error).toContain("502");
    expect((html as { error: string }).error).toContain("Bad Gateway");

    const json = await rejection(transport.invoke("theme_list", {}));
    expect(json).toMatchObject({ kind: "Internal" });
    expect((json as { error: string }).error).toContain("500");
    expect((json as { error: string }).error).toContain("not an AppError");
  });

  it("maps a network failure to Unavailable, never to an Error", async () => {
    // A port that was just free: nothing listens there once the probe server is closed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => { resolve(); }));

    const transport: Transport = createHttpTransport({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await rejection(transport.invoke("app_info", {}));
    expect(error).not.toBeInstanceOf(Error);
    expect(error).toMatchObject({ kind: "Unavailable" });
    expect(typeof (error as { error: unknown }).error).toBe("string");
  });

  it("uses the fetch it was given", async () => {
    const seen: string[] = [];
    const transport = createHttpTransport({
      baseUrl,
      fetch: (input, init) => {
        seen.push(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
        return fetch(input, init);
      },
    });
    await transport.invoke("app_info", {});
    expect(seen).toEqual([`${baseUrl}/api/invoke/app_info`]);
  });
});
