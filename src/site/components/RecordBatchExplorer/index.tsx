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
  crc32cBackend,
  decodeRecordBatch,
  encodeRecordBatch,
  initCodecs,
  isZstdReady,
  sizeOfUncompressedBatch,
} from "../../../protocol";
import AnnotatedBytes from "./AnnotatedBytes";
import FormPanel from "./FormPanel";
import { annotateBatch, annotateRecords, type BatchAnnotation, type FieldSpan } from "./annotate";
import type { DescribeContext } from "./describe";
import { DEFAULT_FORM, batchInputOf, type ExplorerForm, type FormError } from "./form";
import styles from "./styles.module.css";

type ZstdState = "idle" | "loading" | "ready" | "failed";

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

      <FormPanel form={form} onChange={setForm} />

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
          data-kl-crc-backend={crc32cBackend}
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
