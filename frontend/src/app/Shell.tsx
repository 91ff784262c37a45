import type { AppInfo } from "@flow/bindings";
import { Suspense, lazy } from "react";
import { Link, NavLink, Navigate, Route, Routes } from "react-router";
import { asAppError, useHost } from "../host";
import { BoardPage } from "../board/BoardPage";
import { FlowsPage } from "../flows/list/FlowsPage";
import { NodeHubPage } from "../nodes/NodeHubPage";
import { SettingsPage } from "../settings/SettingsPage";
import { HeaderThemeSwitcher } from "../theme/HeaderThemeSwitcher";
import { ConnectionIndicator } from "./ConnectionIndicator";
import { SECTIONS, type Section } from "./sections";
import { TokenTicker } from "./TokenTicker";

// The editor (canvas, layout, CodeMirror) is most of the bundle: load it when a flow is opened.
const FlowEditorPage = lazy(() => import("../flows/editor/FlowEditorPage"));
// Run history, run detail and schedules load when the Runs section is opened.
const RunsPage = lazy(() => import("../runs/RunsPage"));
// The Model Hub loads when the Models section is opened.
const ModelsPage = lazy(() => import("../models/ModelsPage"));

function runsPage() {
  return (
    <Suspense fallback={<p className="muted">Loading runs…</p>}>
      <RunsPage />
    </Suspense>
  );
}

/** The page a section's route shows. */
function sectionPage(section: Section) {
  switch (section.path) {
    case "/board":
      return <BoardPage />;
    case "/flows":
      return <FlowsPage />;
    case "/nodes":
      return <NodeHubPage />;
    case "/runs":
      return runsPage();
    case "/models":
      return (
        <Suspense fallback={<p className="muted">Loading models…</p>}>
          <ModelsPage />
        </Suspense>
      );
    default:
      return <SettingsPage />;
  }
}

export function Shell({ info }: { info: AppInfo }) {
  const { session } = useHost().capabilities;

  return (
    <div className="shell">
      <header className="app-header">
        <Link className="brand" to="/board">
          {info.name}
        </Link>
        <span className="badge" title={`Version ${info.version}`}>
          {info.edition === "server" ? "Server" : "Desktop"}
        </span>
        <span className="header-spacer" />
        <TokenTicker />
        <HeaderThemeSwitcher />
        <ConnectionIndicator />
        {session !== null && (
          <button
            type="button"
            className="quiet"
            onClick={() => {
              session.signOut().catch((cause: unknown) => {
                console.error("sign out failed", asAppError(cause));
              });
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.path}>
              <NavLink to={section.path}>{section.title}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <Routes>
          <Route path="/" element={<Navigate to="/board" replace />} />
          {SECTIONS.map((section) => (
            <Route key={section.path} path={section.path} element={sectionPage(section)} />
          ))}
          <Route
            path="/flows/:slug"
            element={
              <Suspense fallback={<p className="muted">Loading the editor…</p>}>
                <FlowEditorPage />
              </Suspense>
            }
          />
          <Route path="/runs/:executionId" element={runsPage()} />
          <Route path="/settings/connections" element={<SettingsPage tab="connections" />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <NavLink to="/board">Go to the board</NavLink>.
      </p>
    </div>
  );
}
