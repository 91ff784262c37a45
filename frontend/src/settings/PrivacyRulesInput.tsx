import type { PrivacyRule } from "@flow/bindings";
import { Fragment } from "react";
import { MAX_RULES, addRuleRow, removeRuleRow, ruleErrors, suggestedPlaceholder, updateRuleRow } from "./privacy-rules";

interface PrivacyRulesInputProps {
  id: string;
  rows: readonly PrivacyRule[];
  describedBy: string;
  invalid: boolean;
  onChange: (rows: PrivacyRule[]) => void;
}

/** The organisation's privacy rules as editable rows (name, pattern, placeholder); the whole
 * list is saved at once, through the settings form. */
export function PrivacyRulesInput({ id, rows, describedBy, invalid, onChange }: PrivacyRulesInputProps) {
  const errors = ruleErrors(rows);
  const full = rows.length >= MAX_RULES;
  return (
    <div id={id} role="group" className="rules-input" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
      {rows.length === 0 && (
        <p className="muted rules-empty">No rules of your own: only the built-in detectors apply.</p>
      )}
      {rows.length > 0 && (
        <table className="rules-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Pattern (regular expression)</th>
              <th scope="col">Placeholder</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const rowErrors = errors.rows[index] ?? {};
              const rowName = row.name.trim() === "" ? `rule ${index + 1}` : row.name.trim();
              const errorId = (part: string) => `${id}-${part}-${index}-error`;
              const messages = (["name", "pattern", "placeholder"] as const).flatMap((part) => {
                const message = rowErrors[part];
                return message === undefined ? [] : [{ part, message }];
              });
              return (
                // Rows have no identity but their position; the inputs are controlled, so this is safe.
                <Fragment key={index}>
                <tr className="rules-row">
                  <td>
                    <input
                      type="text"
                      className="rules-name"
                      placeholder="datasets"
                      autoComplete="off"
                      spellCheck={false}
                      value={row.name}
                      aria-label={`Rule name, ${rowName}`}
                      aria-invalid={invalid || rowErrors.name !== undefined}
                      aria-describedby={rowErrors.name === undefined ? undefined : errorId("name")}
                      onChange={(event) => {
                        onChange(updateRuleRow(rows, index, { name: event.target.value }));
                      }}
                    />
                  </td>
                  <td>
                    <input
                      type="text"
                      className="rules-pattern"
                      placeholder={String.raw`\bds_[a-z0-9_]+`}
                      autoComplete="off"
                      spellCheck={false}
                      value={row.pattern}
                      aria-label={`Pattern, ${rowName}`}
                      aria-invalid={invalid || rowErrors.pattern !== undefined}
                      aria-describedby={rowErrors.pattern === undefined ? undefined : errorId("pattern")}
                      onChange={(event) => {
                        onChange(updateRuleRow(rows, index, { pattern: event.target.value }));
                      }}
                    />
                  </td>
                  <td>
                    <input
                      type="text"
                      className="rules-placeholder"
                      placeholder={suggestedPlaceholder(row.name)}
                      autoComplete="off"
                      spellCheck={false}
                      value={row.placeholder}
                      aria-label={`Placeholder, ${rowName}`}
                      aria-invalid={invalid || rowErrors.placeholder !== undefined}
                      aria-describedby={rowErrors.placeholder === undefined ? undefined : errorId("placeholder")}
                      onChange={(event) => {
                        onChange(updateRuleRow(rows, index, { placeholder: event.target.value }));
                      }}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="rules-remove"
                      aria-label={`Remove ${rowName}`}
                      title="Remove"
                      onClick={() => {
                        onChange(removeRuleRow(rows, index));
                      }}
                    >
                      ×
                    </button>
                  </td>
                </tr>
                {messages.length > 0 && (
                  <tr className="rules-errors">
                    <td colSpan={4}>
                      {messages.map(({ part, message }) => (
                        <span key={part} id={errorId(part)} className="error">
                          {message}
                        </span>
                      ))}
                    </td>
                  </tr>
                )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
      {errors.list !== undefined && <p className="error">{errors.list}</p>}
      <div className="rules-actions">
        <button
          type="button"
          disabled={full}
          onClick={() => {
            onChange(addRuleRow(rows));
          }}
        >
          Add rule
        </button>
        <span className="range-hint muted">
          Up to {MAX_RULES}; <code>(?P&lt;value&gt;…)</code> replaces only that group
        </span>
      </div>
    </div>
  );
}
