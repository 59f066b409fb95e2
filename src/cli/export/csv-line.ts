/**
 * One CSV record (RFC 4180 quoting, LF line ends): a cell holding the delimiter, a quote, CR or LF is quoted, with
 * quotes doubled. Objects and arrays are written as JSON, null and undefined as empty cells.
 */
export function csvLine(values: readonly unknown[], delimiter = ","): string {
  return `${values.map((v) => csvCell(v, delimiter)).join(delimiter)}\n`;
}

export function csvCell(value: unknown, delimiter = ","): string {
  const text =
    value === null || value === undefined
      ? ""
      : typeof value === "string"
        ? value
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
