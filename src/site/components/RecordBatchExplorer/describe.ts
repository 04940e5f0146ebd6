/**
 * What each field of a RecordBatch v2 means, in the reader's language (Docusaurus translate();
 * Chinese in i18n/zh-Hans/code.json). Facts from Kafka's DefaultRecordBatch.java and
 * DefaultRecord.java.
 */
import { translate } from "@docusaurus/Translate";
import type { AttributeBits, FieldId, FieldSpan } from "./annotate";

export interface DescribeContext {
  size: number;
  attributes: AttributeBits;
  baseTimestamp: number;
}

function iso(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? new Date(ms).toISOString() : "-";
}

/** The explanation of one field, with the batch's own values filled in. */
export function describeField(field: FieldSpan, ctx: DescribeContext): string {
  const id: FieldId = field.id;
  switch (id) {
    case "baseOffset":
      return translate({
        id: "explorer.field.baseOffset",
        message:
          "Offset of the first record. A producer sends 0; the leader overwrites it with the partition's next offset when it appends the batch.",
      });
    case "batchLength":
      return translate(
        {
          id: "explorer.field.batchLength",
          message:
            "Bytes after this field: the batch's {size} bytes minus 12 (baseOffset and batchLength themselves, Kafka's LOG_OVERHEAD).",
        },
        { size: ctx.size },
      );
    case "partitionLeaderEpoch":
      return translate({
        id: "explorer.field.partitionLeaderEpoch",
        message:
          "Epoch of the leader that appended the batch; -1 from a producer. The leader stamps it in place, and because it lies before byte 21 the CRC does not cover it and need not be recomputed.",
      });
    case "magic":
      return translate({
        id: "explorer.field.magic",
        message:
          "Format version. 2 is RecordBatch v2, written since Kafka 0.11; 0 and 1 were the old message sets.",
      });
    case "crc":
      return translate({
        id: "explorer.field.crc",
        message:
          "CRC-32C (Castagnoli) of bytes 21 to the end: attributes through the last record. While this field is selected, the bytes it covers are outlined.",
      });
    case "attributes":
      return translate(
        {
          id: "explorer.field.attributes",
          message:
            "Bits 0-2: compression codec ({codec}). Bit 3: timestamp type ({timestampType}). Bit 4: transactional ({transactional}). Bit 5: control batch ({control}). Bit 6: delete horizon set ({deleteHorizon}).",
        },
        {
          codec: ctx.attributes.compression,
          timestampType: ctx.attributes.timestampType,
          transactional: String(ctx.attributes.isTransactional),
          control: String(ctx.attributes.isControl),
          deleteHorizon: String(ctx.attributes.hasDeleteHorizon),
        },
      );
    case "lastOffsetDelta":
      return translate({
        id: "explorer.field.lastOffsetDelta",
        message:
          "Offset of the last record minus baseOffset (0 for a single record). The broker reads the batch's last offset from the header without decoding records.",
      });
    case "baseTimestamp":
      return translate(
        {
          id: "explorer.field.baseTimestamp",
          message:
            "Timestamp of the first record, in ms since 1970 ({iso}). Each record stores its own as a delta from it.",
        },
        { iso: iso(ctx.baseTimestamp) },
      );
    case "maxTimestamp":
      return translate({
        id: "explorer.field.maxTimestamp",
        message:
          "Largest record timestamp in the batch. The time index and time-based retention use it; with LogAppendTime it holds the broker's append time.",
      });
    case "producerId":
      return translate({
        id: "explorer.field.producerId",
        message:
          "Producer id of an idempotent or transactional producer (from InitProducerId); -1 without idempotence.",
      });
    case "producerEpoch":
      return translate({
        id: "explorer.field.producerEpoch",
        message:
          "Epoch of that producer id: a newer epoch fences the older producer. -1 without idempotence.",
      });
    case "baseSequence":
      return translate({
        id: "explorer.field.baseSequence",
        message:
          "Sequence number of the first record, counted per producer and partition. The broker uses it to reject gaps and to recognise a resent batch. -1 without idempotence.",
      });
    case "recordsCount":
      return translate({ id: "explorer.field.recordsCount", message: "Number of records in the batch." });
    case "compressedRecords":
      return translate(
        {
          id: "explorer.field.compressedRecords",
          message:
            "Every record of the batch, compressed together with {codec} as one block. The CRC covers these compressed bytes; the records inside are shown below, as they were before compression.",
        },
        { codec: ctx.attributes.compression },
      );
    case "length":
      return translate({
        id: "explorer.field.length",
        message: "Size of the record after this field, in bytes (a varint).",
      });
    case "recordAttributes":
      return translate({
        id: "explorer.field.recordAttributes",
        message: "Record attributes: unused, always 0.",
      });
    case "timestampDelta":
      return translate({
        id: "explorer.field.timestampDelta",
        message: "Record timestamp minus baseTimestamp (a varlong).",
      });
    case "offsetDelta":
      return translate({
        id: "explorer.field.offsetDelta",
        message: "Record offset minus baseOffset (a varint): 0 for the first record.",
      });
    case "keyLength":
      return translate({
        id: "explorer.field.keyLength",
        message: "Key size in bytes; -1 means a null key.",
      });
    case "key":
      return translate({
        id: "explorer.field.key",
        message:
          "The key's bytes (UTF-8 text here; Kafka sees only bytes). The default partitioner hashes them with murmur2 to choose the partition.",
      });
    case "valueLength":
      return translate({
        id: "explorer.field.valueLength",
        message: "Value size in bytes; -1 means a null value (a tombstone on a compacted topic).",
      });
    case "value":
      return translate({ id: "explorer.field.value", message: "The value's bytes." });
    case "headersCount":
      return translate({ id: "explorer.field.headersCount", message: "Number of headers of the record." });
    case "headerKeyLength":
      return translate({
        id: "explorer.field.headerKeyLength",
        message: "Size of the header's key in bytes.",
      });
    case "headerKey":
      return translate({
        id: "explorer.field.headerKey",
        message: "The header's key, UTF-8. A header key cannot be null.",
      });
    case "headerValueLength":
      return translate({
        id: "explorer.field.headerValueLength",
        message: "Size of the header's value in bytes; -1 means null.",
      });
    case "headerValue":
      return translate({ id: "explorer.field.headerValue", message: "The header's value bytes." });
  }
}
