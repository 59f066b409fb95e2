/**
 * An error a person can act on: a stable code, a message, and where it happened.
 * The HTTP layer maps it to the dialect's error shape; the CLI prints it.
 */
export class DocketError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = "DocketError";
  }
}

export const notFound = (what: string, id: string) =>
  new DocketError("not_found", `No ${what} found with id '${id}'.`, 404);

export const invalidRequest = (message: string, param: string | null = null) =>
  new DocketError("invalid_request_error", message, 400, param);
