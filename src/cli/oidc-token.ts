import "./compileCache";
import { spawn } from "node:child_process";
import { constants } from "node:os";
import {
  AZURE_AUDIENCE,
  OidcTokenError,
  oidcSourceFromEnvironment,
  requestOidcToken,
  writeTokenFile,
  type OidcSource,
} from "../pipeline/oidcToken";
import { printable } from "../text";
import { EXIT, parseCommandLine, positiveInteger, runCommand, UsageError } from "./run";

const DEFAULT_EVERY_SECONDS = 240;

export const command = runCommand(
  "oidc-token",
  async (argv) => {
    const separator = argv.indexOf("--");
    const [own, child] = separator === -1 ? [argv, []] : [argv.slice(0, separator), argv.slice(separator + 1)];
    const { values } = parseCommandLine(own, {
      file: { type: "string" },
      audience: { type: "string" },
      "service-connection-id": { type: "string" },
      every: { type: "string" },
    });
    if (!values.file) throw new UsageError("give --file <path>");
    if (separator !== -1 && child.length === 0) throw new UsageError("give a command after --");
    const every = values.every === undefined ? DEFAULT_EVERY_SECONDS : positiveInteger("every", values.every);
    const file = values.file;
    const audience = values.audience ?? AZURE_AUDIENCE;
    let source: OidcSource;
    try {
      source = oidcSourceFromEnvironment(process.env, values["service-connection-id"]);
      writeTokenFile(file, await requestOidcToken(source, audience));
    } catch (error) {
      if (!(error instanceof OidcTokenError)) throw error;
      process.stderr.write(`error: ${printable(error.message)}\n`);
      return EXIT.failed;
    }
    if (child.length === 0) return EXIT.ok;

    // A failed refresh keeps the previous token (still valid for a while) and says so; the next try may work.
    const refresh = setInterval(() => {
      requestOidcToken(source, audience)
        .then((token) => writeTokenFile(file, token))
        .catch((error: Error) =>
          process.stderr.write(`warning: the OIDC token was not refreshed: ${printable(error.message)}\n`),
        );
    }, every * 1000);
    return new Promise<number>((resolve) => {
      const running = spawn(child[0], child.slice(1), { stdio: "inherit" });
      const forward = (signal: NodeJS.Signals) => running.kill(signal);
      process.on("SIGTERM", forward).on("SIGINT", forward);
      running.on("error", (error) => {
        clearInterval(refresh);
        process.stderr.write(`error: cannot run ${printable(child[0])}: ${printable(error.message)}\n`);
        resolve(EXIT.failed);
      });
      running.on("exit", (code, signal) => {
        clearInterval(refresh);
        resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
      });
    });
  },
  __filename,
);
