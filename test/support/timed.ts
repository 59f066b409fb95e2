/** Milliseconds `work` took to settle, and how it settled (the error, if it rejected). */
export async function timed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = Date.now();
  try {
    await work;
    return { ms: Date.now() - start, error: undefined };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}
