import { armGuid } from "../../src/azure/guid";

/**
 * Evaluates an ARM template the way Resource Manager would for a subscription deployment, for
 * the expression functions the exported templates use: parameters, variables, guid (with the
 * project's ARM guid()), toLower, concat, subscription, subscriptionResourceId, copyIndex,
 * length, if, equals, json, plus property access and indexing. Copy loops and inner-scope nested deployments
 * are expanded. Anything else throws, so a template using more cannot pass unnoticed.
 */

type Value = unknown;
interface Context {
  parameters: Record<string, Value>;
  variables: Record<string, Value>;
  subscriptionId: string;
  copyIndex?: number;
  /** A management-group deployment's resources so far, by id, for reference(). */
  deployed?: Map<string, Record<string, Value>>;
}

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "property"; target: Node; name: string }
  | { kind: "index"; target: Node; index: Node };

function parse(source: string): Node {
  let position = 0;
  const skip = () => {
    while (source[position] === " ") position++;
  };
  const expect = (char: string) => {
    skip();
    if (source[position] !== char) throw new Error(`expected '${char}' at ${position} in ${source}`);
    position++;
  };
  const primary = (): Node => {
    skip();
    if (source[position] === "'") {
      let value = "";
      position++;
      for (;;) {
        if (source[position] === "'" && source[position + 1] === "'") {
          value += "'";
          position += 2;
        } else if (source[position] === "'") {
          position++;
          break;
        } else if (position >= source.length) {
          throw new Error(`unterminated string in ${source}`);
        } else {
          value += source[position++];
        }
      }
      return { kind: "literal", value };
    }
    const number = /^\d+/.exec(source.slice(position));
    if (number) {
      position += number[0].length;
      return { kind: "literal", value: Number(number[0]) };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(position));
    if (!name) throw new Error(`unexpected '${source[position]}' at ${position} in ${source}`);
    position += name[0].length;
    expect("(");
    const args: Node[] = [];
    skip();
    if (source[position] === ")") position++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (source[position] === ",") position++;
        else {
          expect(")");
          break;
        }
      }
    }
    return { kind: "call", name: name[0], args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (source[position] === ".") {
        position++;
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(position))![0];
        position += name.length;
        node = { kind: "property", target: node, name };
      } else if (source[position] === "[") {
        position++;
        const index = expression();
        expect("]");
        node = { kind: "index", target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (position !== source.length) throw new Error(`trailing input at ${position} in ${source}`);
  return node;
}

function evaluateNode(node: Node, context: Context): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "property":
      return (evaluateNode(node.target, context) as Record<string, Value>)[node.name];
    case "index":
      return (evaluateNode(node.target, context) as Record<string, Value>)[evaluateNode(node.index, context) as string];
  }
  const args = node.args.map((arg) => evaluateNode(arg, context));
  switch (node.name) {
    case "parameters":
      if (!(String(args[0]) in context.parameters)) throw new Error(`parameter ${String(args[0])} not given`);
      return context.parameters[String(args[0])];
    case "variables":
      return evaluate(context.variables[String(args[0])], context);
    case "guid":
      return armGuid(...args.map(String));
    case "toLower":
      return String(args[0]).toLowerCase();
    case "concat":
      return Array.isArray(args[0]) ? args.flat() : args.map(String).join("");
    case "length":
      return (args[0] as unknown[]).length;
    case "copyIndex":
      if (context.copyIndex === undefined) throw new Error("copyIndex() outside a copy loop");
      return context.copyIndex;
    case "subscription":
      return { id: `/subscriptions/${context.subscriptionId}`, subscriptionId: context.subscriptionId };
    case "if":
      return args[0] ? args[1] : args[2];
    case "equals":
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "json":
      return JSON.parse(String(args[0]));
    case "reference": {
      // reference(id, apiVersion, 'full') of a resource deployed earlier: its body, and the
      // principal Azure would give its system-assigned identity (a stand-in GUID).
      const resource = context.deployed?.get(String(args[0]).toLowerCase());
      if (!resource || args[2] !== "full") throw new Error(`reference(${String(args[0])}) to nothing deployed before`);
      const identity = resource.identity as Record<string, Value> | undefined;
      return {
        ...resource,
        identity: { ...identity, principalId: armGuid("principal", String(args[0]).toLowerCase()) },
      };
    }
    case "subscriptionResourceId":
      return `/subscriptions/${context.subscriptionId}/providers/${String(args[0])}/${String(args[1])}`;
    default:
      throw new Error(`ARM function ${node.name}() is not supported by this evaluator`);
  }
}

/** Evaluates every "[...]" string inside a value. */
export function evaluate(value: Value, context: Context): Value {
  // "[[" escapes: the literal string without its first bracket.
  if (typeof value === "string" && value.startsWith("[[")) return value.slice(1);
  if (typeof value === "string" && value.startsWith("[") && value.endsWith("]"))
    return evaluateNode(parse(value.slice(1, -1)), context);
  if (Array.isArray(value)) return value.map((item) => evaluate(item, context));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, context)]));
  return value;
}

export interface DeployedResource {
  type: string;
  apiVersion: string;
  name: string;
  /** The resource group a nested deployment put it in; undefined at subscription level. */
  resourceGroup?: string;
  body: Record<string, Value>;
}

type TemplateResource = Record<string, Value> & {
  type: string;
  copy?: { count: Value };
  properties?: Record<string, Value>;
};

/** The resources a subscription deployment of `template` with `parameters` would PUT. */
export function deploy(
  template: Record<string, Value>,
  parameterValues: Record<string, Value>,
  subscriptionId: string,
  resourceGroup?: string,
): DeployedResource[] {
  const declared = template.parameters as Record<string, { defaultValue?: Value }>;
  const parameters: Record<string, Value> = {};
  for (const [name, declaration] of Object.entries(declared)) {
    if (name in parameterValues) parameters[name] = parameterValues[name];
    else if ("defaultValue" in declaration) parameters[name] = declaration.defaultValue;
    else throw new Error(`parameter ${name} has no value`);
  }
  for (const name of Object.keys(parameterValues))
    if (!(name in declared)) throw new Error(`parameter ${name} is not declared`);
  const base: Context = { parameters, variables: (template.variables ?? {}) as Record<string, Value>, subscriptionId };
  const deployed: DeployedResource[] = [];
  for (const resource of template.resources as TemplateResource[]) {
    const count = resource.copy ? (evaluate(resource.copy.count, base) as number) : 1;
    for (let copyIndex = 0; copyIndex < count; copyIndex++) {
      const context = { ...base, ...(resource.copy ? { copyIndex } : {}) };
      const { copy, dependsOn, ...rest } = resource;
      if (rest.type === "Microsoft.Resources/deployments") {
        // Inner scope: the nested template's expressions belong to the nested deployment.
        const { template: nested, ...outer } = rest.properties as { template: Record<string, Value> };
        const evaluated = evaluate({ ...rest, properties: outer }, context) as {
          resourceGroup?: string;
          properties: {
            expressionEvaluationOptions?: { scope?: string };
            parameters: Record<string, { value: Value }>;
          };
        };
        if (evaluated.properties.expressionEvaluationOptions?.scope !== "inner")
          throw new Error("only inner-scope nested deployments are supported");
        const inner = Object.fromEntries(
          Object.entries(evaluated.properties.parameters).map(([name, parameter]) => [name, parameter.value]),
        );
        deployed.push(...deploy(nested, inner, subscriptionId, evaluated.resourceGroup));
        continue;
      }
      const { type, apiVersion, name, ...body } = evaluate(rest, context) as Record<string, Value> & {
        type: string;
        apiVersion: string;
        name: string;
      };
      deployed.push({ type, apiVersion, name, ...(resourceGroup ? { resourceGroup } : {}), body });
    }
  }
  return deployed;
}

/**
 * The resources a management-group deployment of a parameterless `template` would PUT, in order,
 * each with its id under the management group; reference() reads what was deployed before it.
 */
export function deployAtManagementGroup(
  template: Record<string, Value>,
  managementGroupId: string,
): Array<DeployedResource & { id: string }> {
  const scope = `/providers/Microsoft.Management/managementGroups/${managementGroupId}`;
  const deployed = new Map<string, Record<string, Value>>();
  const context: Context = { parameters: {}, variables: {}, subscriptionId: "", deployed };
  return (template.resources as TemplateResource[]).map((resource) => {
    const { dependsOn, ...rest } = resource;
    for (const id of (dependsOn ?? []) as string[])
      if (!deployed.has(id.toLowerCase())) throw new Error(`dependsOn ${id}: not deployed before`);
    const { type, apiVersion, name, ...body } = evaluate(rest, context) as Record<string, Value> & {
      type: string;
      apiVersion: string;
      name: string;
    };
    const id = `${scope}/providers/${type}/${name}`;
    deployed.set(id.toLowerCase(), body);
    return { type, apiVersion, name, id, body };
  });
}
