import type { FlowGraph } from "@flow/bindings";
import { useId, useState } from "react";
import { Dialog } from "./Dialog";

export interface GraphPropertiesDialogProps {
  graph: FlowGraph;
  onApply: (graph: FlowGraph) => void;
  onClose: () => void;
}

/** Name, version and description of the flow. */
export function GraphPropertiesDialog({ graph, onApply, onClose }: GraphPropertiesDialogProps) {
  const id = useId();
  const [name, setName] = useState(graph.name);
  const [version, setVersion] = useState(graph.version ?? "");
  const [description, setDescription] = useState(graph.description ?? "");
  const nameMissing = name.trim() === "";
  return (
    <Dialog
      title="Flow properties"
      onClose={onClose}
      actions={
        <>
          <button type="button" className="quiet" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={nameMissing}
            onClick={() => {
              const next: FlowGraph = { ...graph, name: name.trim(), description: description === "" ? null : description };
              if (version.trim() !== "") next.version = version.trim();
              onApply(next);
              onClose();
            }}
          >
            Apply
          </button>
        </>
      }
    >
      <div className="fe-field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} aria-invalid={nameMissing} onChange={(e) => { setName(e.target.value); }} />
        {nameMissing && <span className="error">The name is required.</span>}
      </div>
      <div className="fe-field">
        <label htmlFor={`${id}-version`}>Version</label>
        <input id={`${id}-version`} value={version} placeholder="1.0.0" onChange={(e) => { setVersion(e.target.value); }} />
      </div>
      <div className="fe-field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea id={`${id}-description`} rows={3} value={description} onChange={(e) => { setDescription(e.target.value); }} />
      </div>
    </Dialog>
  );
}
