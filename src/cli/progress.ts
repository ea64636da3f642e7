/**
 * One progress line on stderr that redraws itself on a terminal. Piped or captured (CI, a
 * log file), nothing is drawn, so the output holds only the result lines, not a run of
 * carriage-return fragments.
 */
export function progressLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

/** Clears the progress line before a result is printed. */
export function progressClear(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
