// Lint: typescript-eslint's recommended rules over every TypeScript file we own.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // .stryker-tmp and reports: npm run mutation's sandboxes (instrumented copies) and its reports.
  { ignores: ["node_modules/**", "bin/**", "dist/**", ".stryker-tmp/**", "reports/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  // No module imports itself through others: layers stay layers (README "Architecture").
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".mts"] },
      "import-x/extensions": [".ts", ".mts", ".js"],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  // Lower layers never import higher ones (README "Layout"): the models and rules in src/ know
  // neither the components, the stack program nor the policy pack; the library not the program.
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/plan/**", "src/offboard/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(components|app|policies)(/|$)",
              message: "src/ below the consumers imports no higher layer",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["components/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(app|policies)(/|$)|/cli/",
              message: "the library imports neither the stack program, the pack nor the commands",
            },
          ],
        },
      ],
    },
  },
);
