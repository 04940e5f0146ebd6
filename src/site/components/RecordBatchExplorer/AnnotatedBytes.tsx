/**
 * One annotated buffer: a hex dump (16 bytes a row, decimal offsets, printable ASCII beside it),
 * the list of its fields, and the explanation of the field under the pointer. Pointing at a byte
 * or a field highlights both and dims the rest; clicking pins the field. While the crc field is
 * active, the bytes the CRC covers are outlined.
 */
import { useMemo, useState, type ReactNode } from "react";
import Translate from "@docusaurus/Translate";
import { RECORD_BATCH_OVERHEAD } from "../../../protocol";
import { byteOwners, type FieldSpan } from "./annotate";
import { describeField, type DescribeContext } from "./describe";
import styles from "./styles.module.css";

const BYTES_PER_ROW = 16;
const hex2 = (b: number) => b.toString(16).padStart(2, "0");

interface AnnotatedBytesProps {
  pane: "batch" | "records";
  bytes: Uint8Array;
  fields: FieldSpan[];
  /** First byte the CRC covers (outlined while the crc field is active); null: no CRC here. */
  crcFrom: number | null;
  ctx: DescribeContext;
  title: string;
}

export default function AnnotatedBytes({
  pane,
  bytes,
  fields,
  crcFrom,
  ctx,
  title,
}: AnnotatedBytesProps): ReactNode {
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
          data-kl-active={isActive ? "" : undefined}
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
