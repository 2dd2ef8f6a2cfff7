export { LighthouseDelegation, type LighthouseDelegationArgs } from "./lighthouseDelegation";
