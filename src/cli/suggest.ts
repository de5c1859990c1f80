/** "Did you mean …?" for a mistyped command or option: the closest known word within two edits. */

export function closest(word: string, known: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(word, candidate);
    const limit = Math.min(2, Math.floor(candidate.length / 3) + 1);
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  // A unique prefix is a good guess too: `--includ` → `--include-stale`.
  if (!best && word.length >= 3) {
    const prefixed = known.filter((k) => k.startsWith(word));
    if (prefixed.length === 1) return prefixed[0];
  }
  return best?.candidate;
}

/** The suffix for an error line: `; did you mean 'x'?`, or nothing. */
export function didYouMean(word: string, known: readonly string[], quote = (s: string) => `'${s}'`): string {
  const guess = closest(word, known);
  return guess ? `; did you mean ${quote(guess)}?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
