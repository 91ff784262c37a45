export interface Section {
  path: string;
  title: string;
  /** For sections not built yet: what the page will hold. */
  planned?: string;
}

export const SECTIONS: readonly Section[] = [
  { path: "/board", title: "Board" },
  {
    path: "/flows",
    title: "Flows",
    planned: "Flows will list your flow documents and let you create, edit and run their node graphs.",
  },
  {
    path: "/runs",
    title: "Runs",
    planned: "Runs will hold the history of flow executions, with each step's status, output and timing.",
  },
  {
    path: "/models",
    title: "Models",
    planned: "Models will let you download, load and unload the local models that run inference inside Flow.",
  },
  {
    path: "/nodes",
    title: "Nodes",
    planned: "Nodes will be the catalog of node types flows are built from, where you browse and install them.",
  },
  { path: "/settings", title: "Settings" },
];
