import { enableCompileCache } from "node:module";

// Imported first by every command: Node keeps the compiled code of the modules it loads between
// runs (in the system's temporary directory), so a command starts about a quarter faster.
enableCompileCache();
