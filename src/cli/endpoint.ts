import { ArmInputError, checkedEndpoint } from "../arm/client";
import { UsageError } from "./run";

// Apart from run.ts so that offline commands never load the Azure SDK's HTTP pipeline.

/** `--endpoint`: https, or http on loopback only (src/arm/client.ts), else a usage error. */
export function endpointOption(value: string | undefined, fallback: string): string {
  const endpoint = value ?? fallback;
  try {
    checkedEndpoint(endpoint);
  } catch (error) {
    throw error instanceof ArmInputError ? new UsageError(error.message) : error;
  }
  return endpoint;
}
