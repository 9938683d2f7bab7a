/** Shared output for the cache benchmarks: one line per figure with its budget and verdict. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * `ratio` is subject/baseline of a cost (time or bytes): lower is better. Passes at ≤ budget,
 * or strictly below it with `strict` ("faster than").
 */
export function printRatio(
  label: string,
  ratio: number,
  budget: number,
  detail: string,
  strict = false,
): boolean {
  const pass = strict ? ratio < budget : ratio <= budget;
  process.stdout.write(
    `${label.padEnd(58)} ${ratio.toFixed(3)}x  (budget ${strict ? '< ' : '<='} ${budget.toFixed(2)}x)  ${pass ? 'PASS' : 'FAIL'}   ${detail}\n`,
  );
  return pass;
}
