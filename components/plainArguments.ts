import * as pulumi from "@pulumi/pulumi";

/** What `${output}` turns into: an Output interpolated into a string instead of passed as one. */
const INTERPOLATED_OUTPUT = "Calling [toString] on an [Output<T>]";

/** True when `value`, or anything inside it (a list, an object's fields), is an Output or an interpolated one. */
function holdsOutput(value: unknown, depth = 0): boolean {
  if (pulumi.Output.isInstance(value)) return true;
  if (typeof value === "string") return value.includes(INTERPOLATED_OUTPUT);
  // Offers and their lists are a few levels deep; nothing a caller passes nests further.
  if (depth > 8 || typeof value !== "object" || value === null) return false;
  return Object.values(value).some((item) => holdsOutput(item, depth + 1));
}

/**
 * Refuses, before anything is registered, an Output where a component needs a plain value: the
 * arguments that decide resource names and GUIDs must be known while the program runs (a logical
 * name cannot wait for a deployment). Without this, an Output becomes a name such as
 * `…/resourceGroups/Calling [toString] on an [Output<T>]…`, or fails deep inside the constructor.
 */
export function requirePlainArguments(
  component: pulumi.ComponentResource,
  description: string,
  args: object,
  decides: Record<string, string>,
): void {
  for (const [argument, what] of Object.entries(decides)) {
    if (holdsOutput((args as Record<string, unknown>)[argument]))
      throw new pulumi.ResourceError(
        `${description}: ${argument} must be a plain value, not an Output (nor a string made from one): it decides ${what}, which Pulumi must know before deploying`,
        component,
      );
  }
}
