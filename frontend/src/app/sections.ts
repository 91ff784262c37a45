export interface Section {
  path: string;
  title: string;
}

export const SECTIONS: readonly Section[] = [
  { path: "/board", title: "Board" },
  { path: "/flows", title: "Flows" },
  { path: "/runs", title: "Runs" },
  { path: "/models", title: "Models" },
  { path: "/nodes", title: "Nodes" },
  { path: "/settings", title: "Settings" },
];
