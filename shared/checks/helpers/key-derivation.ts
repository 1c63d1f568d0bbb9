// What a room's code asks WebCrypto to derive, and how often it compares in constant time. The Durable Objects run in the same isolate as the
// checks, so wrapping SubtleCrypto's methods sees every call a room makes to hash a password.

import { whileReplaced, type Fn } from "./replaced.ts";

/** One call to crypto.subtle.deriveBits or deriveKey: its algorithm's parameters (the salt in hex). */
export type Derivation = { method: string; name: string; hash: string; iterations: unknown; saltBytes: number | undefined; salt?: string };

/**
 * Runs `body` and returns every deriveBits and deriveKey call made meanwhile (in any object).
 * With `delayMs`, each call starts that much later, as a slow hash lets other requests in while
 * it runs: code that must count a guess before hashing shows whether it does. Each digest (a
 * token's SHA-256) is delayed too: today's runtime computes it before its promise returns, but
 * an await of it may let another request in all the same.
 */
export async function keyDerivationsDuring(body: () => Promise<void>, { delayMs = 0 } = {}): Promise<Derivation[]> {
  const calls: Derivation[] = [];
  const later = (call: () => unknown) => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)).then(call) : call());
  const recorded = (method: string) => (original: Fn) =>
    function (this: SubtleCrypto, ...args: unknown[]) {
      calls.push(describe(method, args[0]));
      return later(() => original.apply(this, args));
    };
  await whileReplaced(Object.getPrototypeOf(crypto.subtle), {
    deriveBits: recorded("deriveBits"),
    deriveKey: recorded("deriveKey"),
    digest: (original) => function (this: SubtleCrypto, ...args: unknown[]) {
      return later(() => original.apply(this, args));
    },
  }, body);
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
  let calls = 0;
  await whileReplaced(Object.getPrototypeOf(crypto.subtle), {
    timingSafeEqual: (original) => function (this: SubtleCrypto, ...args: unknown[]) {
      calls++;
      return original.apply(this, args);
    },
  }, body);
  return calls;
}

/**
 * Runs `body` while the first deriveBits or deriveKey call (a room hashing a password) waits
 * until `body` calls `release.now()` (at most 5 s): what other requests do meanwhile happens
 * while that hash is running. `release.whenHeld()` resolves once the call is waiting (at most 2 s).
 * Polled: a promise made in one object's call may not be resolved from another's.
 */
export async function firstDerivationHeld(body: (release: { whenHeld: () => Promise<void>; now: () => void }) => Promise<void>): Promise<void> {
  let calls = 0;
  let released = false;
  const poll = async (done: () => boolean, ms: number) => {
    for (let waited = 0; !done() && waited < ms; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  const held = (original: Fn) =>
    async function (this: SubtleCrypto, ...args: unknown[]) {
      if (++calls === 1) await poll(() => released, 5000);
      return original.apply(this, args);
    };
  try {
    await whileReplaced(Object.getPrototypeOf(crypto.subtle), { deriveBits: held, deriveKey: held }, () =>
      body({ whenHeld: () => poll(() => calls > 0, 2000), now: () => void (released = true) }),
    );
  } finally {
    released = true;
  }
}
