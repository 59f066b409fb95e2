/**
 * Splits the body of `POST /v1/messages/batches` (`{"requests": [ {…}, {…}, … ]}`) into the byte
 * text of each request as the body streams in, so a 256 MB batch is never parsed (or held) whole:
 * memory is one request at a time. It checks the envelope's grammar exactly (an object whose only
 * member is `requests`, an array of objects) and finds where each element ends by tracking strings
 * and brackets; each element's own JSON is then checked by the line scanner, which rejects
 * anything JSON.parse would.
 */
export class BodyShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BodyShapeError";
  }
}

enum S {
  BeforeObject,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  ArrayStart,
  ElementStart,
  Element,
  AfterElement,
  AfterValue,
  Done,
}

const MAX_KEY_BYTES = 64;

export class RequestsArraySplitter {
  private state = S.BeforeObject;
  private key: number[] = [];
  private keyEscape = false;
  private sawRequests = false;
  /** The element being read: its parts from earlier chunks, its bytes so far, its nesting. */
  private parts: Buffer[] = [];
  private elementBytes = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Index of the element being read (`requests.N` in messages). */
  index = 0;

  constructor(private readonly maxElementBytes: number) {}

  /** Feeds the next chunk; returns the requests it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    const done: Buffer[] = [];
    let start = -1;
    if (this.state === S.Element) start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case S.Element: {
          if (this.inString) {
            if (this.escape) this.escape = false;
            else if (c === 0x5c) this.escape = true;
            else if (c === 0x22) this.inString = false;
            continue;
          }
          if (c === 0x22) this.inString = true;
          else if (c === 0x7b || c === 0x5b) this.depth++;
          else if (c === 0x7d || c === 0x5d) {
            if (--this.depth === 0) {
              done.push(this.finishElement(chunk.subarray(start, i + 1)));
              start = -1;
              this.state = S.AfterElement;
            }
          }
          continue;
        }
        case S.BeforeObject:
          if (isSpace(c)) continue;
          if (c !== 0x7b) throw new BodyShapeError("The request body must be a JSON object.");
          this.state = S.KeyOrEnd;
          continue;
        case S.KeyOrEnd:
          if (isSpace(c)) continue;
          if (c === 0x7d && !this.sawRequests) {
            this.state = S.Done;
            continue;
          }
          if (c !== 0x22) throw this.invalid("expected a member name");
          this.key = [];
          this.keyEscape = false;
          this.state = S.Key;
          continue;
        case S.Key:
          if (!this.keyEscape && c === 0x22) {
            this.checkKey();
            this.state = S.Colon;
            continue;
          }
          this.keyEscape = !this.keyEscape && c === 0x5c;
          if (this.key.length < MAX_KEY_BYTES) this.key.push(c);
          continue;
        case S.Colon:
          if (isSpace(c)) continue;
          if (c !== 0x3a) throw this.invalid("expected ':'");
          this.state = S.Value;
          continue;
        case S.Value:
          if (isSpace(c)) continue;
          if (c !== 0x5b) throw new BodyShapeError("requests: Input should be a valid list.");
          this.state = S.ArrayStart;
          continue;
        case S.ArrayStart:
        case S.ElementStart:
          if (isSpace(c)) continue;
          if (c === 0x5d && this.state === S.ArrayStart) {
            this.state = S.AfterValue;
            continue;
          }
          if (c !== 0x7b)
            throw new BodyShapeError(`requests.${this.index}: Input should be a valid dictionary.`);
          this.state = S.Element;
          this.depth = 1;
          this.inString = false;
          this.escape = false;
          start = i;
          continue;
        case S.AfterElement:
          if (isSpace(c)) continue;
          if (c === 0x2c) this.state = S.ElementStart;
          else if (c === 0x5d) this.state = S.AfterValue;
          else throw this.invalid("expected ',' or ']' after a request");
          continue;
        case S.AfterValue:
          if (isSpace(c)) continue;
          if (c === 0x2c) this.state = S.KeyOrEnd;
          else if (c === 0x7d) this.state = S.Done;
          else throw this.invalid("expected ',' or '}'");
          continue;
        case S.Done:
          if (isSpace(c)) continue;
          throw this.invalid("unexpected text after the JSON object");
      }
    }
    if (this.state === S.Element && start !== -1) this.keepPart(chunk.subarray(start));
    return done;
  }

  /** The body ended: anything but a complete object with `requests` is an error. */
  end(): void {
    if (this.state !== S.Done) throw this.invalid("Unexpected end of JSON input");
    if (!this.sawRequests) throw new BodyShapeError("requests: Field required.");
  }

  private keepPart(part: Buffer): void {
    this.elementBytes += part.length;
    if (this.elementBytes > this.maxElementBytes) {
      throw new BodyShapeError(
        `requests.${this.index}: a request may be at most ${this.maxElementBytes} bytes (Anthropic's Messages API limit).`,
      );
    }
    // A copy: the chunk it came from is then free to go.
    this.parts.push(Buffer.from(part));
  }

  private finishElement(last: Buffer): Buffer {
    this.keepPart(last);
    const element = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.elementBytes = 0;
    this.index++;
    return element;
  }

  private checkKey(): void {
    const key = Buffer.from(this.key).toString("utf8");
    if (key !== "requests") throw new BodyShapeError(`${key}: Extra inputs are not permitted.`);
    if (this.sawRequests) throw new BodyShapeError("requests: the member appears more than once.");
    this.sawRequests = true;
  }

  private invalid(what: string): BodyShapeError {
    return new BodyShapeError(`The request body is not valid JSON (${what}).`);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
