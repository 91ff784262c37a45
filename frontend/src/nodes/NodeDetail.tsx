import type { CatalogEntry } from "@flow/bindings";
import { useMemo } from "react";
import { formatValue, schemaFields } from "./node-hub-logic";

/** The expandable detail of an entry: its fields with their defaults, identity and requirements. */
export function NodeDetail({ entry }: { entry: CatalogEntry }) {
  const fields = useMemo(() => schemaFields(entry.schema, entry.defaults), [entry.schema, entry.defaults]);
  const identity = Object.entries(entry.identity);
  const settings = entry.settings ?? [];

  return (
    <details className="node-detail">
      <summary>Details</summary>
      <dl className="node-facts">
        <dt>Slug</dt>
        <dd>
          <code>{entry.slug}</code>
        </dd>
        {identity.length > 0 && (
          <>
            <dt>Identity</dt>
            <dd>
              {identity.map(([key, value]) => (
                <code key={key} className="node-identity">
                  {key}: {formatValue(value)}
                </code>
              ))}
            </dd>
          </>
        )}
        {settings.length > 0 && (
          <>
            <dt>Requires settings</dt>
            <dd>{settings.join(", ")}</dd>
          </>
        )}
      </dl>
      {fields.length === 0 ? (
        <p className="muted">This node has no fields.</p>
      ) : (
        <table className="node-fields">
          <caption className="visually-hidden">Fields of {entry.name}</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Default</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field) => (
              <tr key={field.key}>
                <th scope="row">
                  {field.title}
                  {field.title !== field.key && <code className="field-key">{field.key}</code>}
                </th>
                <td>
                  {field.type}
                  {field.enumValues !== null && (
                    <span className="muted"> one of {field.enumValues.map((value) => formatValue(value)).join(", ")}</span>
                  )}
                </td>
                <td>{field.required ? "Yes" : "No"}</td>
                <td>
                  <code>{formatValue(field.defaultValue)}</code>
                </td>
                <td>{field.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
