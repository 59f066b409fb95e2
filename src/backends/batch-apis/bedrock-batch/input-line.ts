/**
 * One line of a Bedrock batch input file: `{"recordId": <key>, "modelInput": <body>}`, the body
 * as the user's own text. JSONL needs one line per record, and a JSON text can hold a line break
 * only as whitespace between tokens (never inside a string), so each break becomes a space:
 * the same JSON value, on one line.
 */
export function bedrockInputLine(key: string, body: string): string {
  const oneLine = /[\r\n]/.test(body) ? body.replace(/\r\n|\r|\n/g, " ") : body;
  return `{"recordId":${JSON.stringify(key)},"modelInput":${oneLine}}`;
}
