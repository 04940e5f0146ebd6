/**
 * RecordBatch explorer (storage page): the reader types a record (key, value, headers, timestamp)
 * and the batch fields a producer sets (compression, producer id, epoch and base sequence, and the
 * two fields the leader stamps), and sees the bytes src/protocol's encodeRecordBatch produces, as a
 * hex dump annotated field by field. Hovering or clicking a field in the list or a byte in the dump
 * highlights both; the CRC-32C is recomputed here over bytes 21..end and compared with the stored
 * one, and decodeRecordBatch reads the batch back.
 *
 * Everything runs in the browser on the project's own code; nothing is fetched but the site's own
 * zstd chunk (the WebAssembly is inlined in it), loaded only when zstd is chosen.
 */
import { useEffect, useMemo, useState, type ReactNode } from "react";
import Translate, { translate } from "@docusaurus/Translate";
import {
  RECORD_BATCH_OVERHEAD,
  decodeRecordBatch,
  encodeRecordBatch,
  initCodecs,
  isZstdReady,
  sizeOfUncompressedBatch,
  type CompressionType,
} from "../../../protocol";
import { annotateBatch, annotateRecords, byteOwners, type BatchAnnotation, type FieldSpan } from "./annotate";
import { describeField, type DescribeContext } from "./describe";
import {
  DEFAULT_FORM,
  MAX_HEADERS,
  MAX_TEXT_CHARS,
  batchInputOf,
  type ExplorerForm,
  type FormError,
} from "./form";
import styles from "./styles.module.css";

const CODECS: readonly CompressionType[] = ["none", "gzip", "snappy", "lz4", "zstd"];
const BYTES_PER_ROW = 16;
type ZstdState = "idle" | "loading" | "ready" | "failed";

const hex2 = (b: number) => b.toString(16).padStart(2, "0");
const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

function formErrorText(e: FormError): string {
  switch (e.reason) {
    case "notInteger":
      return translate(
        { id: "explorer.error.notInteger", message: "{field} must be a whole number." },
        { field: e.field },
      );
    case "outOfRange":
      return translate(
        { id: "explorer.error.outOfRange", message: "{field} must be between {min} and {max}." },
        { field: e.field, min: String(e.min), max: String(e.max) },
      );
    case "tooLong":
      return translate(
        { id: "explorer.error.tooLong", message: "{field} is limited to {max} characters here." },
        { field: e.field, max: String(e.max) },
      );
    case "tooManyHeaders":
      return translate(
        { id: "explorer.error.tooManyHeaders", message: "At most {max} headers here." },
        { max: String(e.max) },
      );
  }
}

interface Encoded {
  bytes: Uint8Array;
  batch: BatchAnnotation;
  /** Records before compression, annotated (compressed batches only). */
  inner: { bytes: Uint8Array; fields: FieldSpan[] } | null;
  uncompressedSize: number;
  decodedRecords: number;
}

function encode(
  form: ExplorerForm,
  zstdReady: boolean,
): { encoded: Encoded } | { error: string } | { pending: true } {
  const parsed = batchInputOf(form);
  if (!parsed.ok) return { error: formErrorText(parsed.error) };
  if (form.compression === "zstd" && !zstdReady) return { pending: true };
  try {
    const bytes = encodeRecordBatch(parsed.input);
    const batch = annotateBatch(bytes);
    let inner: Encoded["inner"] = null;
    if (batch.compressed) {
      // The records as they were before compression: the same batch encoded without a codec.
      const plain = encodeRecordBatch({ ...parsed.input, compression: "none" });
      const records = plain.subarray(RECORD_BATCH_OVERHEAD);
      inner = { bytes: records, fields: annotateRecords(records, 0, parsed.input.records.length) };
    }
    const decoded = decodeRecordBatch(bytes);
    return {
      encoded: {
        bytes,
        batch,
        inner,
        uncompressedSize: sizeOfUncompressedBatch(parsed.input),
        decodedRecords: decoded.records.length,
      },
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export default function RecordBatchExplorer(): ReactNode {
  const [form, setForm] = useState<ExplorerForm>(DEFAULT_FORM);
  const [zstd, setZstd] = useState<ZstdState>("idle");
  const set = <K extends keyof ExplorerForm>(field: K, value: ExplorerForm[K]) =>
    setForm((f) => ({ ...f, [field]: value }));

  useEffect(() => {
    if (form.compression !== "zstd" || zstd === "loading" || zstd === "ready") return;
    if (isZstdReady()) {
      setZstd("ready");
      return;
    }
    setZstd("loading");
    initCodecs().then(
      () => setZstd("ready"),
      () => setZstd("failed"),
    );
  }, [form.compression, zstd]);

  const result = useMemo(() => encode(form, zstd === "ready" || isZstdReady()), [form, zstd]);
  const idempotent = form.producerId !== "-1" || form.producerEpoch !== "-1" || form.baseSequence !== "-1";
  const stamped = form.baseOffset !== "0" || form.partitionLeaderEpoch !== "-1";

  return (
    <section className={styles.explorer} data-kl-explorer="">
      <header className={styles.head}>
        <div>
          <div className={styles.title}>
            <Translate id="explorer.title">RecordBatch explorer</Translate>
          </div>
          <p className={styles.subtitle}>
            <Translate
              id="explorer.subtitle"
              values={{ encode: <code>encodeRecordBatch</code>, path: <code>src/protocol</code> }}
            >
              {
                "Your record, encoded in this page by {encode} from the course's {path}: the same bytes a producer sends and a broker stores."
              }
            </Translate>
          </p>
        </div>
      </header>

      <div className={styles.form}>
        <fieldset className={styles.group}>
          <legend>
            <Translate id="explorer.group.record">Record</Translate>
          </legend>
          <label className={styles.label}>
            <span>key</span>
            <span className={styles.inputRow}>
              <input
                data-kl-input="key"
                className={styles.input}
                value={form.key}
                maxLength={MAX_TEXT_CHARS}
                disabled={form.keyNull}
                spellCheck={false}
                onChange={(e) => set("key", e.target.value)}
              />
              <label className={styles.check}>
                <input
                  type="checkbox"
                  checked={form.keyNull}
                  onChange={(e) => set("keyNull", e.target.checked)}
                />
                null
              </label>
            </span>
          </label>
          <label className={styles.label}>
            <span>value</span>
            <span className={styles.inputRow}>
              <input
                data-kl-input="value"
                className={styles.input}
                value={form.value}
                maxLength={MAX_TEXT_CHARS}
                disabled={form.valueNull}
                spellCheck={false}
                onChange={(e) => set("value", e.target.value)}
              />
              <label className={styles.check}>
                <input
                  type="checkbox"
                  checked={form.valueNull}
                  onChange={(e) => set("valueNull", e.target.checked)}
                />
                null
              </label>
            </span>
          </label>
          <label className={styles.label}>
            <span>
              timestamp <small className={styles.hint}>ms</small>
            </span>
            <input
              data-kl-input="timestamp"
              className={styles.input}
              inputMode="numeric"
              value={form.timestamp}
              spellCheck={false}
              onChange={(e) => set("timestamp", e.target.value)}
            />
          </label>
          <div className={styles.label}>
            <span>headers</span>
            <div className={styles.headers}>
              {form.headers.map((h, i) => (
                <div key={i} className={styles.headerRow}>
                  <input
                    aria-label={translate({ id: "explorer.header.key", message: "header key" })}
                    data-kl-input={`header-key-${i}`}
                    className={styles.input}
                    value={h.key}
                    maxLength={64}
                    spellCheck={false}
                    onChange={(e) =>
                      set(
                        "headers",
                        form.headers.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)),
                      )
                    }
                  />
                  <input
                    aria-label={translate({ id: "explorer.header.value", message: "header value" })}
                    data-kl-input={`header-value-${i}`}
                    className={styles.input}
                    value={h.value}
                    maxLength={64}
                    spellCheck={false}
                    onChange={(e) =>
                      set(
                        "headers",
                        form.headers.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)),
                      )
                    }
                  />
                  <button
                    type="button"
                    className={styles.iconButton}
                    title={translate({ id: "explorer.header.remove", message: "Remove this header" })}
                    aria-label={translate({ id: "explorer.header.remove", message: "Remove this header" })}
                    onClick={() =>
                      set(
                        "headers",
                        form.headers.filter((_, j) => j !== i),
                      )
                    }
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
                  set("headers", [
                    ...form.headers,
                    { key: `h${form.headers.length + 1}`, value: "", valueNull: false },
                  ])
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
          <label className={styles.label}>
            <span>compression</span>
            <select
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
          </label>
          <label className={styles.check}>
            <input
              type="checkbox"
              data-kl-input="idempotent"
              checked={idempotent}
              onChange={(e) =>
                setForm((f) =>
                  e.target.checked
                    ? { ...f, producerId: "4000", producerEpoch: "0", baseSequence: "0" }
                    : { ...f, producerId: "-1", producerEpoch: "-1", baseSequence: "-1" },
                )
              }
            />
            <Translate id="explorer.idempotent">idempotent producer</Translate>
          </label>
          <div className={styles.triple}>
            {(["producerId", "producerEpoch", "baseSequence"] as const).map((field) => (
              <label key={field} className={styles.label}>
                <span>{field}</span>
                <input
                  data-kl-input={field}
                  className={styles.input}
                  inputMode="numeric"
                  value={form[field]}
                  spellCheck={false}
                  onChange={(e) => set(field, e.target.value)}
                />
              </label>
            ))}
          </div>
          <label className={styles.check}>
            <input
              type="checkbox"
              data-kl-input="stamped"
              checked={stamped}
              onChange={(e) =>
                setForm((f) =>
                  e.target.checked
                    ? { ...f, baseOffset: "1200", partitionLeaderEpoch: "7" }
                    : { ...f, baseOffset: "0", partitionLeaderEpoch: "-1" },
                )
              }
            />
            <Translate id="explorer.stamped">as the leader stores it</Translate>
          </label>
          <div className={styles.pair}>
            {(["baseOffset", "partitionLeaderEpoch"] as const).map((field) => (
              <label key={field} className={styles.label}>
                <span>{field}</span>
                <input
                  data-kl-input={field}
                  className={styles.input}
                  inputMode="numeric"
                  value={form[field]}
                  spellCheck={false}
                  onChange={(e) => set(field, e.target.value)}
                />
              </label>
            ))}
          </div>
          <p className={styles.note}>
            <Translate id="explorer.stampedNote">
              The leader overwrites these two on append. They lie outside the CRC: change them and the CRC
              stays the same.
            </Translate>
          </p>
        </fieldset>
      </div>

      {"pending" in result ? (
        <p className={styles.status} role="status">
          {zstd === "failed" ? (
            <Translate id="explorer.zstdFailed">
              zstd's WebAssembly could not be loaded in this browser; the other codecs work.
            </Translate>
          ) : (
            <Translate id="explorer.zstdLoading">
              Loading zstd (WebAssembly bundled with this site)…
            </Translate>
          )}
        </p>
      ) : "error" in result ? (
        <p className={styles.error} role="alert" data-kl-error="">
          <Translate id="explorer.cannotEncode" values={{ reason: result.error }}>
            {"Cannot encode this batch: {reason}"}
          </Translate>
        </p>
      ) : (
        <Output encoded={result.encoded} />
      )}
    </section>
  );
}

function Output({ encoded }: { encoded: Encoded }): ReactNode {
  const { bytes, batch, inner } = encoded;
  const crcValid = batch.storedCrc === batch.computedCrc;
  const ctx: DescribeContext = {
    size: batch.size,
    attributes: batch.attributes,
    baseTimestamp: Number(batch.fields.find((f) => f.id === "baseTimestamp")?.value ?? -1),
  };
  return (
    <>
      <div className={styles.summary}>
        <div className={styles.stat} data-kl-size={bytes.length}>
          <span className={styles.statLabel}>
            <Translate id="explorer.summary.size">batch size</Translate>
          </span>
          <strong>
            <Translate id="explorer.summary.bytes" values={{ n: bytes.length }}>
              {"{n} bytes"}
            </Translate>
          </strong>
          <small>
            <Translate
              id="explorer.summary.split"
              values={{ header: RECORD_BATCH_OVERHEAD, records: bytes.length - RECORD_BATCH_OVERHEAD }}
            >
              {"{header}-byte header + {records} bytes of records"}
            </Translate>
          </small>
        </div>
        <div
          className={`${styles.stat} ${crcValid ? styles.valid : styles.invalid}`}
          data-kl-crc={hex32(batch.computedCrc)}
          data-kl-crc-valid={String(crcValid)}
        >
          <span className={styles.statLabel}>
            <Translate id="explorer.summary.crc" values={{ from: batch.crcStart, to: bytes.length - 1 }}>
              {"CRC-32C of bytes {from}–{to}"}
            </Translate>
          </span>
          <strong className={styles.mono}>{hex32(batch.computedCrc)}</strong>
          <small>
            {crcValid ? (
              <Translate id="explorer.summary.crcValid">✓ equals the stored crc field: valid</Translate>
            ) : (
              <Translate id="explorer.summary.crcInvalid" values={{ stored: hex32(batch.storedCrc) }}>
                {"✗ the stored crc field says {stored}"}
              </Translate>
            )}
          </small>
        </div>
        <div className={styles.stat}>
          <span className={styles.statLabel}>
            <Translate id="explorer.summary.decoded">read back</Translate>
          </span>
          <strong>
            <Translate id="explorer.summary.decodedRecords" values={{ n: encoded.decodedRecords }}>
              {"{n} record(s)"}
            </Translate>
          </strong>
          <small>
            {batch.compressed ? (
              <Translate
                id="explorer.summary.uncompressed"
                values={{ codec: batch.attributes.compression, n: encoded.uncompressedSize }}
              >
                {"by decodeRecordBatch, after {codec}; {n} bytes uncompressed"}
              </Translate>
            ) : (
              <Translate id="explorer.summary.decodedBy">by decodeRecordBatch, CRC checked</Translate>
            )}
          </small>
        </div>
      </div>

      <AnnotatedBytes
        pane="batch"
        bytes={bytes}
        fields={batch.fields}
        crcFrom={batch.crcStart}
        ctx={ctx}
        title={translate({ id: "explorer.pane.batch", message: "The batch, byte by byte" })}
      />
      {inner && (
        <AnnotatedBytes
          pane="records"
          bytes={inner.bytes}
          fields={inner.fields}
          crcFrom={null}
          ctx={ctx}
          title={translate(
            {
              id: "explorer.pane.inner",
              message: "Inside the {codec} block: the records before compression ({n} bytes)",
            },
            { codec: batch.attributes.compression, n: inner.bytes.length },
          )}
        />
      )}
      <ul className={styles.legend}>
        <li>
          <i className={styles.k_framing} />
          <Translate id="explorer.legend.framing">framing (outside the CRC)</Translate>
        </li>
        <li>
          <i className={styles.k_crc} />
          crc
        </li>
        <li>
          <i className={styles.k_batch} />
          <Translate id="explorer.legend.batch">batch fields</Translate>
        </li>
        <li>
          <i className={styles.k_varint} />
          <Translate id="explorer.legend.varint">record varints</Translate>
        </li>
        <li>
          <i className={styles.k_payload} />
          <Translate id="explorer.legend.payload">key, value and header bytes</Translate>
        </li>
        {batch.compressed && (
          <li>
            <i className={styles.k_records} />
            <Translate id="explorer.legend.compressed">compressed records</Translate>
          </li>
        )}
      </ul>
    </>
  );
}

interface AnnotatedBytesProps {
  pane: "batch" | "records";
  bytes: Uint8Array;
  fields: FieldSpan[];
  /** First byte the CRC covers (outlined while the crc field is active); null: no CRC here. */
  crcFrom: number | null;
  ctx: DescribeContext;
  title: string;
}

function AnnotatedBytes({ pane, bytes, fields, crcFrom, ctx, title }: AnnotatedBytesProps): ReactNode {
  const [hovered, setHovered] = useState<number | null>(null);
  const [pinned, setPinned] = useState<number | null>(null);
  const owners = useMemo(() => byteOwners(fields, bytes.length), [bytes, fields]);
  // A pinned field that no longer exists (the batch changed shape) is forgotten.
  const pin = pinned !== null && pinned < fields.length ? pinned : null;
  const active = hovered ?? pin;
  const activeField = active === null ? null : (fields[active] ?? null);
  const crcActive = activeField?.id === "crc" && crcFrom !== null;

  const rows: ReactNode[] = [];
  for (let rowStart = 0; rowStart < bytes.length; rowStart += BYTES_PER_ROW) {
    const cells: ReactNode[] = [];
    const chars: ReactNode[] = [];
    for (let i = rowStart; i < Math.min(rowStart + BYTES_PER_ROW, bytes.length); i++) {
      const owner = owners[i]!;
      const field = fields[owner];
      const isActive = active !== null && owner === active;
      const covered = crcActive && crcFrom !== null && i >= crcFrom;
      const classes = [
        styles.byte,
        field ? styles[`k_${field.kind}`] : "",
        field && owner % 2 === 1 ? styles.alt : "",
        field && field.start === i ? styles.fieldStart : "",
        isActive ? styles.active : "",
        active !== null && !isActive && !covered ? styles.dim : "",
        covered ? styles.covered : "",
      ];
      const b = bytes[i]!;
      cells.push(
        <span
          key={i}
          data-kl-byte={i}
          className={classes.join(" ")}
          onMouseEnter={() => setHovered(owner >= 0 ? owner : null)}
          onClick={() => setPinned(owner >= 0 && owner !== pin ? owner : null)}
        >
          {hex2(b)}
        </span>,
      );
      chars.push(
        <span key={i} className={`${styles.char} ${isActive ? styles.charActive : ""}`}>
          {b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "·"}
        </span>,
      );
    }
    rows.push(
      <div key={rowStart} className={styles.row}>
        <span className={styles.offset}>{String(rowStart).padStart(4, "0")}</span>
        <span className={styles.cells}>{cells}</span>
        <span className={styles.chars} aria-hidden="true">
          {chars}
        </span>
      </div>,
    );
  }

  let lastRecord: number | undefined = -2;
  const list: ReactNode[] = [];
  fields.forEach((f, i) => {
    if (f.record !== lastRecord) {
      lastRecord = f.record;
      list.push(
        <li key={`g${i}`} className={styles.groupTitle}>
          {f.record === undefined ? (
            <Translate id="explorer.list.header" values={{ n: RECORD_BATCH_OVERHEAD }}>
              {"batch header ({n} bytes)"}
            </Translate>
          ) : (
            <Translate id="explorer.list.record" values={{ n: f.record }}>
              {"record {n}"}
            </Translate>
          )}
        </li>,
      );
    }
    const isActive = active === i;
    list.push(
      <li key={f.key}>
        <button
          type="button"
          data-kl-field={f.key}
          className={`${styles.fieldRow} ${isActive ? styles.fieldRowActive : ""} ${pin === i ? styles.pinned : ""}`}
          onMouseEnter={() => setHovered(i)}
          onMouseLeave={() => setHovered(null)}
          onFocus={() => setHovered(i)}
          onBlur={() => setHovered(null)}
          onClick={() => setPinned(pin === i ? null : i)}
          aria-pressed={pin === i}
        >
          <i className={`${styles.swatch} ${styles[`k_${f.kind}`]}`} />
          <span className={styles.fieldRange}>
            {f.end - f.start <= 1 ? f.start : `${f.start}–${f.end - 1}`}
          </span>
          <span className={styles.fieldName}>{f.name}</span>
          <span className={styles.fieldValue}>{f.value}</span>
        </button>
      </li>,
    );
  });

  return (
    <div className={styles.pane} data-kl-pane={pane}>
      <div className={styles.paneTitle}>{title}</div>
      <div className={styles.panes}>
        <div className={styles.dumpColumn}>
          <div className={styles.dump} onMouseLeave={() => setHovered(null)} role="presentation">
            {rows}
          </div>
          <Detail field={activeField} bytes={bytes} ctx={ctx} pinned={pin !== null && active === pin} />
        </div>
        <ol className={styles.fieldList}>{list}</ol>
      </div>
    </div>
  );
}

function Detail({
  field,
  bytes,
  ctx,
  pinned,
}: {
  field: FieldSpan | null;
  bytes: Uint8Array;
  ctx: DescribeContext;
  pinned: boolean;
}): ReactNode {
  if (field === null) {
    return (
      <div className={`${styles.detail} ${styles.detailEmpty}`}>
        <Translate id="explorer.detail.empty">
          Point at a byte or a field to see what it is; click to keep it selected.
        </Translate>
      </div>
    );
  }
  const size = field.end - field.start;
  const shown = bytes.subarray(field.start, Math.min(field.end, field.start + 24));
  return (
    <div className={styles.detail} aria-live="polite">
      <div className={styles.detailHead}>
        <i className={`${styles.swatch} ${styles[`k_${field.kind}`]}`} />
        <code className={styles.detailName}>{field.name}</code>
        <span className={styles.detailWhere}>
          <Translate id="explorer.detail.where" values={{ from: field.start, to: field.end - 1, n: size }}>
            {"bytes {from}–{to} ({n} B)"}
          </Translate>
        </span>
        {pinned && (
          <span className={styles.pinBadge}>
            <Translate id="explorer.detail.pinned">pinned</Translate>
          </span>
        )}
      </div>
      <div className={styles.detailValue}>
        <span className={styles.mono}>= {field.value}</span>
        <span className={styles.detailHex}>
          {Array.from(shown, hex2).join(" ")}
          {size > shown.length ? " …" : ""}
        </span>
      </div>
      {field.zigzag !== undefined && (
        <div className={styles.detailVarint}>
          <Translate
            id="explorer.detail.varint"
            values={{ value: field.value, zigzag: field.zigzag, n: size }}
          >
            {"zigzag({value}) = {zigzag}, written 7 bits per byte, low bits first: {n} byte(s)"}
          </Translate>
        </div>
      )}
      <p className={styles.detailText}>{describeField(field, ctx)}</p>
    </div>
  );
}
