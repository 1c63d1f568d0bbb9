// What a room's code asks WebCrypto to derive, and how often it compares in constant time. The Durable Objects run in the same isolate as the
// checks, so wrapping SubtleCrypto's methods sees every call a room makes to hash a password.

/** One call to crypto.subtle.deriveBits or deriveKey: its algorithm's parameters (the salt in hex). */
export type Derivation = { method: string; name: string; hash: string; iterations: unknown; saltBytes: number | undefined; salt?: string };

const METHODS = ["deriveBits", "deriveKey"] as const;

/**
 * Runs `body` and returns every deriveBits and deriveKey call made meanwhile (in any object).
 * With `delayMs`, each call starts that much later, as a slow hash lets other requests in while
 * it runs: code that must count a guess before hashing shows whether it does. Each digest (a
 * token's SHA-256) is delayed too: today's runtime computes it before its promise returns, but
 * an await of it may let another request in all the same.
 */
export async function keyDerivationsDuring(body: () => Promise<void>, { delayMs = 0 } = {}): Promise<Derivation[]> {
  const prototype = Object.getPrototypeOf(crypto.subtle) as Record<(typeof METHODS)[number], (...args: unknown[]) => Promise<unknown>>;
  const originals = METHODS.map((method) => [method, prototype[method]] as const);
  const calls: Derivation[] = [];
  for (const [method, original] of originals) {
    prototype[method] = async function (this: SubtleCrypto, ...args: unknown[]) {
      calls.push(describe(method, args[0]));
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return original.apply(this, args);
    };
  }
  const digest = (prototype as unknown as Record<"digest", (...args: unknown[]) => Promise<unknown>>).digest;
  if (delayMs > 0) {
    (prototype as unknown as Record<"digest", typeof digest>).digest = async function (this: SubtleCrypto, ...args: unknown[]) {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return digest.apply(this, args);
    };
  }
  try {
    await body();
  } finally {
    for (const [method, original] of originals) prototype[method] = original;
    (prototype as unknown as Record<"digest", typeof digest>).digest = digest;
  }
  return calls;
}

function describe(method: string, algorithm: unknown): Derivation {
  const { name, hash, iterations, salt } = (typeof algorithm === "object" && algorithm !== null ? algorithm : { name: algorithm }) as Record<string, unknown>;
  const hashName = typeof hash === "object" && hash !== null ? (hash as { name?: unknown }).name : hash;
  const bytes = salt instanceof ArrayBuffer ? new Uint8Array(salt) : ArrayBuffer.isView(salt) ? new Uint8Array(salt.buffer, salt.byteOffset, salt.byteLength) : undefined;
  const hex = bytes && [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { method, name: String(name).toUpperCase(), hash: String(hashName).toUpperCase(), iterations, saltBytes: bytes?.length, ...(hex === undefined ? {} : { salt: hex }) };
}

/** How many times crypto.subtle.timingSafeEqual is called while `body` runs (in any object). */
export async function timingSafeEqualCallsDuring(body: () => Promise<void>): Promise<number> {
  const prototype = Object.getPrototypeOf(crypto.subtle) as { timingSafeEqual: (...args: unknown[]) => boolean };
  const original = prototype.timingSafeEqual;
  let calls = 0;
  prototype.timingSafeEqual = function (this: SubtleCrypto, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  };
  try {
    await body();
  } finally {
    prototype.timingSafeEqual = original;
  }
  return calls;
}
