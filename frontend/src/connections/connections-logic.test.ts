import type { CatalogEntry, Connection } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import { callbackNotice, connectionsFor, deleteWarning, draftErrors, draftFor, serviceOptions, statusBadge, toInput, touchesConnections } from "./connections-logic";

function entry(slug: string, integration: CatalogEntry["serviceIntegration"]): CatalogEntry {
  return {
    slug,
    name: slug,
    description: "",
    category: "Services",
    version: "1.0.0",
    nodeType: "service",
    identity: { service: slug },
    schema: {},
    defaults: {},
    serviceIntegration: integration,
    settings: [],
  };
}

const github = entry("github", {
  service: "github",
  name: "GitHub",
  baseUrl: "https://api.github.com",
  helpUrl: "https://github.com/settings/tokens",
  auth: { kinds: ["bearer", "oauth2"], default: "bearer", oauth2: { authorizeUrl: "https://github.com/login/oauth/authorize", tokenUrl: "https://github.com/login/oauth/access_token", scopes: ["repo"] } },
});

function connection(change: Partial<Connection>): Connection {
  return {
    id: "gh",
    name: "GitHub work",
    service: "github",
    auth: "bearer",
    config: {},
    hasSecret: true,
    status: "ready",
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    usedBy: [],
    ...change,
  };
}

describe("service options", () => {
  it("come from descriptors, one per service, then the cloud providers", () => {
    const options = serviceOptions([github, entry("github-copy", { service: "github" }), entry("plain", null)]);
    expect(options.map((o) => o.id)).toEqual(["github", "openai"]);
    const gh = options[0];
    expect(gh?.authKinds).toEqual(["bearer", "oauth2"]);
    expect(gh?.defaultAuth).toBe("bearer");
    expect(gh?.oauth?.tokenUrl).toBe("https://github.com/login/oauth/access_token");
    expect(gh?.defaultBaseUrl).toBe("https://api.github.com");
  });

  it("offer every auth kind when a descriptor names none", () => {
    const [http] = serviceOptions([entry("http", { service: "http" })]);
    expect(http?.authKinds).toEqual(["none", "bearer", "basic", "apiKey", "oauth2"]);
  });
});

describe("drafts", () => {
  const [gh] = serviceOptions([github]);
  if (gh === undefined) throw new Error("no github option");

  it("need a name and a secret for a new key connection, and http URLs", () => {
    const draft = { ...draftFor(gh), name: " ", baseUrl: "ftp://x" };
    expect(draftErrors(draft, gh)).toEqual({ name: "Give the connection a name.", baseUrl: "An http or https URL.", secret: "Enter the token." });
    expect(draftErrors({ ...draftFor(gh), secret: "ghp_x" }, gh)).toEqual({});
  });

  it("keep the stored secret unless one is typed or removal is asked", () => {
    const editing = draftFor(gh, connection({}));
    expect(draftErrors(editing, gh)).toEqual({});
    expect(toInput(editing).secret).toBeUndefined();
    expect(toInput({ ...editing, secret: "new" }).secret).toBe("new");
    expect(toInput({ ...editing, clearSecret: true, secret: "ignored" }).secret).toBe("");
    expect(toInput(editing).id).toBe("gh");
  });

  it("send only the fields the auth kind uses", () => {
    const oauth = { ...draftFor(gh), auth: "oauth2" as const, clientId: "abc", scopes: "repo, read:user", username: "leftover" };
    expect(draftErrors(oauth, gh)).toEqual({});
    const input = toInput(oauth);
    expect(input.config).toEqual({ baseUrl: undefined, clientId: "abc", authorizeUrl: undefined, tokenUrl: undefined, scopes: ["repo", "read:user"] });
    expect(draftErrors({ ...oauth, clientId: "" }, gh).clientId).toMatch(/client id/);
    const key = toInput({ ...draftFor(gh), auth: "apiKey", keyName: "X-Key", keyIn: "query", secret: "k" });
    expect(key.config).toEqual({ baseUrl: undefined, keyName: "X-Key", keyIn: "query" });
    expect(draftErrors({ ...draftFor(gh), auth: "basic", secret: "pw" }, gh).username).toMatch(/username/);
  });
});

describe("listing", () => {
  it("names the flows a delete would break", () => {
    expect(deleteWarning(connection({}))).toBeNull();
    expect(deleteWarning(connection({ usedBy: [{ slug: "a", name: "Nightly" }] }))).toMatch(/“Nightly”/);
  });

  it("offers a node its service's connections, ready first", () => {
    const list = [connection({ id: "b", name: "B", status: "missingSecret" }), connection({ id: "a", name: "A" }), connection({ id: "s", service: "slack" })];
    expect(connectionsFor(list, "github").map((c) => c.id)).toEqual(["a", "b"]);
    expect(connectionsFor(list, null)).toHaveLength(3);
  });

  it("reads the OAuth callback's redirect", () => {
    expect(callbackNotice("?connected=gh")).toEqual({ kind: "connected", id: "gh" });
    expect(callbackNotice("?oauthError=access%20denied")).toEqual({ kind: "error", message: "access denied" });
    expect(callbackNotice("")).toBeNull();
  });

  it("badges each status and refreshes on connection and flow changes", () => {
    expect(statusBadge("needsReconnect").tone).toBe("error");
    expect(statusBadge("ready").text).toBe("Ready");
    expect(touchesConnections({ type: "connections-changed", id: "gh", change: "saved" })).toBe(true);
    expect(touchesConnections({ type: "flows-changed", slug: "a", change: "saved" })).toBe(true);
    expect(touchesConnections({ type: "flows-changed", change: "collections" })).toBe(false);
  });
});
