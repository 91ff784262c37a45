import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const bindingsDir = fileURLToPath(new URL("../bindings", import.meta.url));

// The dev server proxies the API to a locally running flow-server so cookies stay same-origin.
const apiTarget = process.env.FLOW_API_URL ?? "http://127.0.0.1:3456";

export default defineConfig({
  plugins: [react()],
  server: {
    // @flow/bindings is a file: dependency that resolves (through its symlink) outside this folder.
    fs: { allow: [".", bindingsDir] },
    proxy: {
      "/api": { target: apiTarget, changeOrigin: false },
      "/health": { target: apiTarget },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
