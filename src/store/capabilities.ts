/**
 * What an engine can do beyond the noun interfaces, named so callers ask for it
 * (`store.capabilities.workHints`) instead of asking which engine they hold.
 */
export interface StoreCapabilities {
  /**
   * Only one process ever uses this database (embedded SQLite, guarded by the data-dir lock):
   * no leader election is needed, cancels and budget stops are seen in-process, and a start-up
   * may end every lease at once (`expireAllLeases`) instead of waiting for them to run out.
   * False: several processes share it (PostgreSQL), and each must assume others are alive.
   */
  readonly exclusive: boolean;
  /** Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); null where the engine has no channel. */
  readonly workHints: WorkHints | null;
  /** Request bodies stored in parts and read one part at a time; null: bodies come whole. */
  readonly largeBodies: LargeBodies | null;
}

/** Latency hints between processes; polling stays the truth, hints may be lost or spurious. */
export interface WorkHints {
  /**
   * Calls `listener` soon after any process calls `hintWork()`, so an idle worker can look for
   * work before its next poll. Returns the unsubscribe function.
   */
  onWorkHint(listener: () => void): () => void;
  /** Tells every `onWorkHint` listener (in every process) that new work may be runnable. */
  hintWork(): Promise<void>;
}

/** Bodies too large for one row, kept in parts (`ClaimedRecord.bodyParts`). */
export interface LargeBodies {
  /** Part `part` (0-based) of a claimed record's body as UTF-8 bytes; null if there is none. */
  readBodyPart(recordId: number, part: number): Promise<Buffer | null>;
}
