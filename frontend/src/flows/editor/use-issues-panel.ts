import { useEffect, useRef, useState, type RefObject } from "react";

/** What `useIssuesPanel` gives the editor. */
export interface IssuesPanelState {
  open: boolean;
  toggle: () => void;
  /** Opens the panel and moves focus into it (a run refused for errors shows them). */
  reveal: () => void;
  /** The panel's focusable region. */
  regionRef: RefObject<HTMLDivElement | null>;
}

/** The validation issues panel below the editor: open or closed, and focused when revealed. */
export function useIssuesPanel(): IssuesPanelState {
  const [open, setOpen] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const regionRef = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    if (focusRequest > 0) regionRef.current?.focus();
  }, [focusRequest]);

  return {
    open,
    toggle: () => {
      setOpen((current) => !current);
    },
    reveal: () => {
      setOpen(true);
      setFocusRequest((n) => n + 1);
    },
    regionRef,
  };
}
