import { useEffect, useId, useRef, type ReactNode } from "react";

export interface DialogProps {
  title: string;
  children: ReactNode;
  actions: ReactNode;
  onClose: () => void;
}

/** A small modal: labelled, focus moved inside, Escape closes. */
export function Dialog({ title, children, actions, onClose }: DialogProps) {
  const titleId = useId();
  const box = useRef<HTMLDivElement | null>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });
  useEffect(() => {
    const first = box.current?.querySelector<HTMLElement>("input, textarea, select, button");
    first?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onCloseRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
    };
  }, []);
  return (
    <div className="fe-backdrop">
      <div ref={box} className="fe-dialog card" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        <div className="fe-dialog-body">{children}</div>
        <div className="fe-dialog-actions">{actions}</div>
      </div>
    </div>
  );
}
