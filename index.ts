// The Pulumi program (Pulumi.yaml `main`): one customer stack's Lighthouse delegations.
import { lighthouseProgram } from "./src/stack/program";

const program = lighthouseProgram();

export const customer = program.customer;
export const summary = program.summary;
