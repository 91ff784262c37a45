import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Everything outside src/host/ reaches the core through the host facade only.
const transportImports = {
  paths: [{ name: "@tauri-apps/api", message: "Use the host facade (src/host) instead." }],
  patterns: [{ group: ["@tauri-apps/api/*", "@tauri-apps/*"], message: "Use the host facade (src/host) instead." }],
};
const transportGlobals = ["fetch", "EventSource", "WebSocket", "XMLHttpRequest"].map((name) => ({
  name,
  message: "Network access belongs in the host facade (src/host).",
}));

export default defineConfig(
  { ignores: ["dist", "node_modules"] },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/host/**"],
    rules: {
      "no-restricted-imports": ["error", transportImports],
      "no-restricted-globals": ["error", ...transportGlobals],
    },
  },
  {
    files: ["src/host/**/*.{ts,tsx}"],
    rules: {
      // The wire contract rejects with plain AppError objects (on both transports), not Error.
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/prefer-promise-reject-errors": "off",
    },
  },
  {
    files: ["*.config.{js,ts}"],
    languageOptions: { globals: globals.node },
  },
);
