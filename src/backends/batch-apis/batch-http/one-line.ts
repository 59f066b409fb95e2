/**
 * A JSON body on one line of a JSONL input. In valid JSON a raw CR or LF can only be whitespace
 * between tokens (inside strings they are escaped), so turning each into a space changes no
 * value and keeps the byte length: the provider reads the same request the user sent.
 */
export function oneLine(body: string): string {
  return body.includes("\n") || body.includes("\r") ? body.replace(/[\r\n]/g, " ") : body;
}
