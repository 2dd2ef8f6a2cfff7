import { hash } from "node:crypto";

/** The namespace ARM's template function `guid()` hashes its arguments under. */
export const ARM_GUID_NAMESPACE = "11fb06fb-712d-4ddd-98c7-e71bbd588830";
const NAMESPACE_BYTES = Buffer.from(ARM_GUID_NAMESPACE.replace(/-/g, ""), "hex");

/** The 8-4-4-4-12 hex form Azure uses for every tenant, principal and role id. */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True when `value` is a GUID in the 8-4-4-4-12 hex form Azure uses for every id. */
export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

/**
 * ARM's `guid(a, b, ...)`: the RFC 4122 version-5 (SHA-1) UUID of the arguments joined with `-`,
 * under {@link ARM_GUID_NAMESPACE}. Deterministic, so re-deploying never renames anything, and
 * equal to what an ARM template evaluating `guid(...)` over the same strings computes.
 */
export function armGuid(...args: string[]): string {
  if (args.length === 0) throw new Error("armGuid needs at least one argument");
  // One-shot hashing (Node 22's crypto.hash): a fleet's validation computes thousands of these.
  const bytes = hash("sha1", Buffer.concat([NAMESPACE_BYTES, Buffer.from(args.join("-"), "utf8")]), "buffer").subarray(
    0,
    16,
  );
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
