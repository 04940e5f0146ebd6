/**
 * The explorer's inputs: the record (key, value, timestamp, headers) and the batch fields a
 * producer or the leader sets (compression; producer id, epoch and base sequence; base offset and
 * partition leader epoch). Field names are Kafka's and are not translated; explanations are.
 * Every input has a `data-kl-input` name for the site test.
 */
import type { ReactNode } from "react";
import Translate, { translate } from "@docusaurus/Translate";
import type { CompressionType } from "../../../protocol";
import { MAX_HEADERS, MAX_TEXT_CHARS, type ExplorerForm } from "./form";
import styles from "./styles.module.css";

const CODECS: readonly CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];

export interface FormPanelProps {
  form: ExplorerForm;
  onChange: (update: (form: ExplorerForm) => ExplorerForm) => void;
}

function TextInput({
  name,
  value,
  onChange,
  disabled = false,
  numeric = false,
  maxLength,
  label,
}: {
  name: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  numeric?: boolean;
  maxLength?: number;
  label?: string;
}): ReactNode {
  return (
    <input
      id={`kl-explorer-${name}`}
      data-kl-input={name}
      aria-label={label}
      className={styles.input}
      value={value}
      disabled={disabled}
      inputMode={numeric ? "numeric" : undefined}
      maxLength={maxLength}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function Row({ name, children, unit }: { name: string; children: ReactNode; unit?: string }): ReactNode {
  return (
    <>
      <label className={styles.rowLabel} htmlFor={`kl-explorer-${name}`}>
        {name}
        {unit && <small className={styles.hint}> {unit}</small>}
      </label>
      <div className={styles.control}>{children}</div>
    </>
  );
}

function NullToggle({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }): ReactNode {
  return (
    <label className={styles.check}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      null
    </label>
  );
}

export default function FormPanel({ form, onChange }: FormPanelProps): ReactNode {
  const set = <K extends keyof ExplorerForm>(field: K, value: ExplorerForm[K]) =>
    onChange((f) => ({ ...f, [field]: value }));
  const setHeader = (i: number, part: "key" | "value", value: string) =>
    onChange((f) => ({ ...f, headers: f.headers.map((h, j) => (j === i ? { ...h, [part]: value } : h)) }));
  const idempotent = form.producerId !== "-1" || form.producerEpoch !== "-1" || form.baseSequence !== "-1";
  const stamped = form.baseOffset !== "0" || form.partitionLeaderEpoch !== "-1";

  return (
    <div className={styles.form}>
      <fieldset className={styles.group}>
        <legend>
          <Translate id="explorer.group.record">Record</Translate>
        </legend>
        <div className={styles.rows}>
          <Row name="key">
            <TextInput
              name="key"
              value={form.key}
              disabled={form.keyNull}
              maxLength={MAX_TEXT_CHARS}
              onChange={(v) => set("key", v)}
            />
            <NullToggle checked={form.keyNull} onChange={(v) => set("keyNull", v)} />
          </Row>
          <Row name="value">
            <TextInput
              name="value"
              value={form.value}
              disabled={form.valueNull}
              maxLength={MAX_TEXT_CHARS}
              onChange={(v) => set("value", v)}
            />
            <NullToggle checked={form.valueNull} onChange={(v) => set("valueNull", v)} />
          </Row>
          <Row name="timestamp" unit="ms">
            <TextInput
              name="timestamp"
              numeric
              value={form.timestamp}
              onChange={(v) => set("timestamp", v)}
            />
          </Row>
          <span className={styles.rowLabel}>headers</span>
          <div className={styles.headers}>
            {form.headers.map((h, i) => (
              <div key={i} className={styles.headerRow}>
                <TextInput
                  name={`header-key-${i}`}
                  label={translate({ id: "explorer.header.key", message: "header key" })}
                  value={h.key}
                  maxLength={64}
                  onChange={(v) => setHeader(i, "key", v)}
                />
                <TextInput
                  name={`header-value-${i}`}
                  label={translate({ id: "explorer.header.value", message: "header value" })}
                  value={h.value}
                  maxLength={64}
                  onChange={(v) => setHeader(i, "value", v)}
                />
                <button
                  type="button"
                  data-kl-input={`header-remove-${i}`}
                  className={styles.iconButton}
                  title={translate({ id: "explorer.header.remove", message: "Remove this header" })}
                  aria-label={translate({ id: "explorer.header.remove", message: "Remove this header" })}
                  onClick={() => onChange((f) => ({ ...f, headers: f.headers.filter((_, j) => j !== i) }))}
                >
                  ×
                </button>
              </div>
            ))}
            <button
              type="button"
              className={styles.addButton}
              disabled={form.headers.length >= MAX_HEADERS}
              data-kl-input="add-header"
              onClick={() =>
                onChange((f) => ({
                  ...f,
                  headers: [...f.headers, { key: `h${f.headers.length + 1}`, value: "", valueNull: false }],
                }))
              }
            >
              + <Translate id="explorer.header.add">header</Translate>
            </button>
          </div>
        </div>
      </fieldset>

      <fieldset className={styles.group}>
        <legend>
          <Translate id="explorer.group.batch">Batch</Translate>
        </legend>
        <div className={styles.rows}>
          <label className={styles.rowLabel} htmlFor="kl-explorer-compression">
            compression
          </label>
          <div className={styles.control}>
            <select
              id="kl-explorer-compression"
              data-kl-input="compression"
              className={styles.input}
              value={form.compression}
              onChange={(e) => set("compression", e.target.value as CompressionType)}
            >
              {CODECS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <label className={`${styles.check} ${styles.wide}`}>
            <input
              type="checkbox"
              data-kl-input="idempotent"
              checked={idempotent}
              onChange={(e) =>
                onChange((f) =>
                  e.target.checked
                    ? { ...f, producerId: "4000", producerEpoch: "0", baseSequence: "0" }
                    : { ...f, producerId: "-1", producerEpoch: "-1", baseSequence: "-1" },
                )
              }
            />
            <Translate id="explorer.idempotent">idempotent producer</Translate>
          </label>
          {(["producerId", "producerEpoch", "baseSequence"] as const).map((field) => (
            <Row key={field} name={field}>
              <TextInput name={field} numeric value={form[field]} onChange={(v) => set(field, v)} />
            </Row>
          ))}
          <label className={`${styles.check} ${styles.wide}`}>
            <input
              type="checkbox"
              data-kl-input="stamped"
              checked={stamped}
              onChange={(e) =>
                onChange((f) =>
                  e.target.checked
                    ? { ...f, baseOffset: "1200", partitionLeaderEpoch: "7" }
                    : { ...f, baseOffset: "0", partitionLeaderEpoch: "-1" },
                )
              }
            />
            <Translate id="explorer.stamped">as the leader stores it</Translate>
          </label>
          {(["baseOffset", "partitionLeaderEpoch"] as const).map((field) => (
            <Row key={field} name={field}>
              <TextInput name={field} numeric value={form[field]} onChange={(v) => set(field, v)} />
            </Row>
          ))}
          <p className={`${styles.note} ${styles.wide}`}>
            <Translate id="explorer.stampedNote">
              The leader overwrites these two on append. They lie outside the CRC: change them and the CRC
              stays the same.
            </Translate>
          </p>
        </div>
      </fieldset>
    </div>
  );
}
