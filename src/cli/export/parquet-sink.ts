import { ByteWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import type { ColumnType, TypedColumn } from "./column-types.js";
import type { ExportSink } from "./text-sink.js";

/**
 * When a row group is written: at `rows` rows, or earlier once the values it holds reach about
 * `bytes` (string lengths plus a per-value overhead), so wide rows (long answers) make smaller
 * groups and memory stays bounded whatever the row width.
 */
export interface RowGroupLimits {
  rows: number;
  bytes: number;
}

export const ROW_GROUP_LIMITS: RowGroupLimits = { rows: 65_536, bytes: 4 * 1024 * 1024 };

/** What one held value costs besides its characters: the array slot, the boxed value, its encoding. */
const VALUE_OVERHEAD = 32;

const PARQUET_TYPE: Record<ColumnType, Omit<SchemaElement, "name">> = {
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  int64: { type: "INT64" },
  double: { type: "DOUBLE" },
  boolean: { type: "BOOLEAN" },
  json: { type: "BYTE_ARRAY", converted_type: "JSON" },
};

/**
 * Writes rows as a Parquet file, streamed: rows are held column by column until a row group
 * fills, which is then encoded (dictionary, Snappy, statistics) and handed to the sink, so the
 * memory held is one row group whatever the file's size. The footer (schema, row-group index) is
 * written at `commit`. Cells must already be of their column's type (`typedCell`).
 */
export class ParquetRowSink {
  private readonly writer: SinkByteWriter;
  private readonly parquet: ParquetWriter;
  private held: unknown[][];
  private heldRows = 0;
  private heldBytes = 0;

  constructor(
    private readonly columns: readonly TypedColumn[],
    private readonly out: ExportSink,
    private readonly limits: RowGroupLimits = ROW_GROUP_LIMITS,
  ) {
    this.writer = new SinkByteWriter(out);
    this.parquet = new ParquetWriter({
      writer: this.writer,
      schema: [
        { name: "root", num_children: columns.length },
        ...columns.map((c) => ({
          name: c.name,
          repetition_type: "OPTIONAL" as const,
          ...PARQUET_TYPE[c.type],
        })),
      ],
      createdBy: "docket export (hyparquet-writer)",
    });
    this.held = columns.map(() => []);
  }

  async write(cells: readonly unknown[]): Promise<void> {
    let bytes = 0;
    for (let c = 0; c < this.held.length; c++) {
      const cell = cells[c] ?? null;
      this.held[c]!.push(cell);
      bytes += typeof cell === "string" ? cell.length + VALUE_OVERHEAD : VALUE_OVERHEAD;
    }
    this.heldRows++;
    this.heldBytes += bytes;
    if (this.heldRows >= this.limits.rows || this.heldBytes >= this.limits.bytes) await this.writeRowGroup();
  }

  /** Writes the last row group and the footer, then commits the sink (a file is renamed into place). */
  async commit(): Promise<void> {
    if (this.heldRows > 0) await this.writeRowGroup();
    await this.parquet.finish();
    await this.out.commit();
  }

  abort(): Promise<void> {
    return this.out.abort();
  }

  private async writeRowGroup(): Promise<void> {
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.held[i]! }));
    const rows = this.heldRows;
    // Handed over before encoding, so the values are garbage once the group is written.
    this.held = this.columns.map(() => []);
    this.heldRows = 0;
    this.heldBytes = 0;
    await this.parquet.write({ columnData, rowGroupSize: rows });
    this.ownStatistics();
  }

  /**
   * The writer keeps each column chunk's min and max until the footer. A string parsed from a
   * line or read from the dataset can be a slice that keeps its whole source alive (a 64 KiB read
   * of the CSV), and an answer can be megabytes long; held for every chunk of a million-row file,
   * those grew the heap by ~25 MB. Own copies of their first 64 characters keep the footer's
   * memory to its size, and change nothing in the file: the writer cuts bounds to 16 bytes (a
   * string longer than that gets the same cut, and a max the same round-up, from 64 characters).
   */
  private ownStatistics(): void {
    for (const column of this.parquet.row_groups.at(-1)?.columns ?? []) {
      const statistics = column.meta_data?.statistics;
      if (statistics === undefined) continue;
      if (typeof statistics.min_value === "string") statistics.min_value = ownPrefix(statistics.min_value);
      if (typeof statistics.max_value === "string") statistics.max_value = ownPrefix(statistics.max_value);
    }
  }
}

const STATISTIC_CHARS = 64;

/** Up to 64 characters of `text`, in a string that shares no memory with it. */
function ownPrefix(text: string): string {
  const prefix = text.length > STATISTIC_CHARS ? text.slice(0, STATISTIC_CHARS) : text;
  return prefix.split("").join("");
}

/**
 * hyparquet-writer's growable buffer, emptied into the sink after each row group (the library
 * calls `flush` then, and awaits it), so it holds one encoded row group at most.
 */
class SinkByteWriter extends ByteWriter {
  constructor(private readonly out: ExportSink) {
    super(1024 * 1024);
  }

  flush(): Promise<void> {
    // A copy: the buffer is reused for the next group while the stream may still hold the bytes.
    const bytes = this.getBytes().slice();
    this.index = 0;
    return this.out.writeBytes(bytes);
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}
