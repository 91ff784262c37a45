import type { ModelDownload } from "@flow/bindings";
import { useEffect, useReducer, useRef } from "react";
import { useFlowEvents, useLiveQuery, type LiveQuery } from "../host";
import { downloadRows, downloadsReducer, NO_UPDATES, refreshesInstalled } from "./models-logic";

/** What `useDownloads` gives the page. */
export interface Downloads {
  query: LiveQuery<ModelDownload[]>;
  rows: readonly ModelDownload[];
  /** Shows a download's state a command answered with, until the next event or refetch. */
  show: (download: ModelDownload) => void;
}

/** The downloads list and the rows shown for it: `model-download` progress laid over the last answer. */
export function useDownloads(): Downloads {
  // The downloads list drops a download once it is installed: refetch it then too.
  const query = useLiveQuery((c) => c.modelDownloads(), refreshesInstalled);
  const [updates, dispatch] = useReducer(downloadsReducer, NO_UPDATES);

  // The list an update applies over is the one shown when the update lands (see downloadsReducer).
  const shownList = useRef(query.data);
  useEffect(() => {
    shownList.current = query.data;
  });

  useFlowEvents((event) => {
    if (event.type === "model-download") dispatch({ base: shownList.current, download: event });
  });

  const show = (download: ModelDownload) => {
    dispatch({ base: shownList.current, download });
  };
  return { query, rows: downloadRows(query.data, updates), show };
}
