/**
 * A field of a request (or answer) that the other dialect cannot express. `param` is the field's
 * path inside the body (`messages[2].content[0].image_url.url`; empty for the body as a whole),
 * so validation can name it on the line; bridging never drops a field it cannot carry.
 */
export class BridgeError extends Error {
  constructor(
    readonly param: string,
    /** What is wrong with the field, without its name: "cannot be expressed in Anthropic Messages." */
    readonly reason: string,
  ) {
    super(param ? `'${param}' ${reason}` : reason);
    this.name = "BridgeError";
  }

  /** The message with the field named from further out (`body.` for a batch line's body). */
  messageUnder(base: string): string {
    if (!this.param) return `${base}: ${this.reason}`;
    return `'${base}.${this.param}' ${this.reason}`;
  }
}
