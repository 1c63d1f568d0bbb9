// The rooms run in the checks' isolate, so a check sees what a room's code calls (a query, a
// hash, a serialisation, a method the lobby calls) by replacing the function for a while.

export type Fn = (...args: unknown[]) => unknown;

/**
 * Runs `body` with each function of `target` named in `replacements` replaced by what its entry
 * makes of the original, and always puts the originals back afterwards.
 */
export async function whileReplaced(target: object, replacements: Record<string, (original: Fn) => Fn>, body: () => Promise<unknown>): Promise<void> {
  const functions = target as Record<string, Fn>;
  const originals = Object.keys(replacements).map((key) => [key, functions[key]] as const);
  for (const [key, original] of originals) functions[key] = replacements[key](original);
  try {
    await body();
  } finally {
    for (const [key, original] of originals) functions[key] = original;
  }
}
