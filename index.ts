// The Pulumi program (Pulumi.yaml `main`): one customer stack's delegations and identities.
import { lighthouseProgram } from "./app/program";

const program = lighthouseProgram();

export const customer = program.customer;
export const mode = program.mode;
export const summary = program.summary;
export const identities = program.identities;
