/**
 * Which of `total` prepared requests a `--sample n` runs: n indices spread evenly over the whole
 * file (⌊k·total/n⌋ for k = 0…n−1), so a sample sees the start, the middle and the end rather
 * than the first rows only, and the same file and n always give the same rows.
 */
export function sampleIndices(total: number, n: number): number[] {
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: n }, (_, k) => Math.floor((k * total) / n));
}
