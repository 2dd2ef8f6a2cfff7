import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempProject } from "./helpers/project";

/** A copy of the project whose stack files live where `stackConfigDir` (or its absence) says. */
function projectWithStacksIn(folder: string | undefined): string {
  const root = tempProject();
  const pulumiYaml = readFileSync(join(root, "Pulumi.yaml"), "utf8").replace(
    /^stackConfigDir: stacks\n/m,
    folder ? `stackConfigDir: ${folder}\n` : "",
  );
  writeFileSync(join(root, "Pulumi.yaml"), pulumiYaml);
  const target = join(root, folder ?? ".");
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(join(root, "stacks"))) renameSync(join(root, "stacks", file), join(target, file));
  return root;
}

describe("stack files where Pulumi.yaml's stackConfigDir says", () => {
  it.each([["customers"], [undefined]])("stackConfigDir %s: validate finds the stacks, plan reads them", (folder) => {
    const root = projectWithStacksIn(folder);
    const validated = runCli("validate", [], root);
    expect(validated.status).toBe(0);
    expect(validated.stderr).toBe("6 file(s) checked: 0 error(s), 0 warning(s)\n");
    const plan = runCli("plan", ["--stack", "fabrikam"], root);
    expect(plan.status).toBe(0);
    expect(plan.stdout.split("\n")[0]).toBe("Plan for stack fabrikam: 12 resources");
  });

  it("refuses a stackConfigDir that leads out of the project", () => {
    const root = tempProject();
    writeFileSync(
      join(root, "Pulumi.yaml"),
      readFileSync(join(root, "Pulumi.yaml"), "utf8").replace("stackConfigDir: stacks", "stackConfigDir: ../elsewhere"),
    );
    const message =
      "error: Pulumi.yaml: stackConfigDir '../elsewhere' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it\n";
    expect(runCli("plan", ["--stack", "fabrikam"], root)).toEqual({ status: 1, stdout: "", stderr: message });
    expect(runCli("validate", [], root)).toEqual({ status: 1, stdout: "", stderr: message });
  });
});
