export interface Section {
  path: string;
  title: string;
  /** For sections not built yet: what the page will hold. */
  planned?: string;
}

export const SECTIONS: readonly Section[] = [
  { path: "/board", title: "Board" },
  { path: "/flows", title: "Flows" },
  { path: "/runs", title: "Runs" },
  { path: "/models", title: "Models" },
  { path: "/nodes", title: "Nodes" },
  { path: "/settings", title: "Settings" },
];
