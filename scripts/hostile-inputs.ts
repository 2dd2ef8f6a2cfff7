/**
 * Adversarial offer files of about 1 MiB, one per shape that once made the work grow faster than the
 * input: used by the hostile-input tests and by `npm run bench`.
 */
const TENANT = "83ace5cd-bcc3-441a-bd86-e6a75360cecc";
const SIZE = 1024 * 1024 - 1024;
const header = `name: Hostile\nmanagedByTenantId: ${TENANT}\n`;

/** Repeats `line(i)` after `head` until the text is just under 1 MiB. */
function fill(head: string, line: (index: number) => string): string {
  const parts = [head];
  let length = head.length;
  for (let index = 0; ; index++) {
    const next = line(index);
    if (length + next.length > SIZE) return parts.join("");
    parts.push(next);
    length += next.length;
  }
}

const guidOf = (index: number) => `f98d86a2-4cc4-4e9d-ad47-${index.toString(16).padStart(12, "0")}`;

export const HOSTILE_OFFERS: Record<string, () => string> = {
  "100,000 keys in one map": () => fill(`${header}authorizations: []\n`, (i) => `k${i}: 1\n`),
  "unknown keys in thousands of maps": () =>
    fill(
      `${header}authorizations:\n`,
      (i) => `  - {principalId: ${guidOf(i)}, role: Reader, a${i}: 1, b: 2, c: 3, d: 4}\n`,
    ),
  "a 300,000-character role name": () =>
    `${header}authorizations:\n  - principalId: ${guidOf(1)}\n    role: ${"Contributor".repeat(27_000)}\n`,
  "thousands of distinct misspelt roles": () =>
    fill(`${header}authorizations:\n`, (i) => `  - {principalId: ${guidOf(i)}, role: Reeder${i.toString(36)}}\n`),
  "thousands of authorizations, all duplicates": () =>
    fill(`${header}authorizations:\n`, () => `  - {principalId: ${guidOf(1)}, role: Reader}\n`),
  "eligible authorizations with inconsistent policies": () =>
    fill(
      `${header}authorizations: [{principalId: ${guidOf(0)}, role: Reader}]\neligibleAuthorizations:\n`,
      (i) =>
        `  - {principalId: ${guidOf(i)}, role: Contributor, justInTimeAccessPolicy: {maximumActivationDuration: PT${(i % 7) + 1}H}}\n`,
    ),
  "nesting 100,000 deep": () => `${header}authorizations: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`,
  "one 1 MiB string": () => `${header}description: "${"x".repeat(SIZE - header.length - 20)}"\nauthorizations: []\n`,
  "an alias bomb": () =>
    `${header}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nauthorizations: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
  "a list of 200,000 scalars": () => fill(`${header}authorizations:\n`, () => `  - 1\n`),
};
