/**
 * A bearer token for `endpoint` (ARM, or Microsoft Graph): the environment variable `variable`
 * (default AZURE_ACCESS_TOKEN) when a pipeline already holds one, otherwise
 * @azure/identity's DefaultAzureCredential (az login on a workstation, workload identity / OIDC
 * in pipelines, managed identity on Azure hosts), loaded only when needed.
 */
export function armTokenSource(endpoint: string, variable = "AZURE_ACCESS_TOKEN"): () => Promise<string> {
  const given = process.env[variable];
  if (given) return async () => given;
  let credential: Promise<{ getToken(scope: string): Promise<{ token: string } | null> }> | undefined;
  const scope = `${new URL(endpoint).origin}/.default`;
  // What to do, in one line: the SDK's own message lists every credential it tried.
  const help = `sign in with az login, or set ${variable} (az account get-access-token --resource ${new URL(endpoint).origin} --query accessToken -o tsv)`;
  return async () => {
    credential ??= import("@azure/identity").then(({ DefaultAzureCredential }) => new DefaultAzureCredential());
    let token: { token: string } | null;
    try {
      token = await (await credential).getToken(scope);
    } catch (error) {
      throw new Error(`no Azure credential found (${(error as Error).name}): ${help}`);
    }
    if (!token) throw new Error(`no Azure credential could get a token for ${scope}: ${help}`);
    return token.token;
  };
}
