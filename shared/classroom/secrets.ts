// The classroom's secrets (the instructor key, each attendee's) are 32 random bytes: too many to
// guess, so a plain SHA-256 is enough to store them (no slow hash, which guards weak passwords).

/** 32 random bytes, base64url: unguessable, and safe in an address. */
export function randomToken(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}

/** Whether two hashes are the same, in a time that does not depend on where they differ. */
export function sameHash(a: ArrayBuffer, b: ArrayBuffer): boolean {
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}
