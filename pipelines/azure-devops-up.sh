#!/usr/bin/env bash
# Azure DevOps: one stack's pulumi up, run by the AzureCLI@2 task of azure-devops-deploy-steps.yml
# (which sets servicePrincipalId and tenantId for its service connection).
set -euo pipefail

token_file="$AGENT_TEMPDIRECTORY/azure-federated-token"
export AZURE_CLIENT_ID="$servicePrincipalId" AZURE_TENANT_ID="$tenantId" AZURE_FEDERATED_TOKEN_FILE="$token_file"
export ARM_USE_DEFAULT_AZURE_CREDENTIAL=true ARM_TENANT_ID="$tenantId"
export AZURE_STORAGE_ACCOUNT="$STORAGE_ACCOUNT"
# The first token now (for the login), fresh ones while pulumi up runs.
with_fresh_token=(npm run -s oidc-token -- --file "$token_file" --service-connection-id "$SERVICE_CONNECTION_ID")
"${with_fresh_token[@]}"
pulumi login "$BACKEND_URL"
# A self-managed backend's default secrets provider is a passphrase, which no pipeline has:
# a new customer's stack is created (empty) with the key the variable names.
if [ -z "$SECRETS_PROVIDER" ]; then
  echo "error: set the pipeline variable pulumiSecretsProvider (azurekeyvault://<vault>.vault.azure.net/keys/<key>) for the self-managed backend" >&2
  exit 1
fi
pulumi stack select --create "$STACK" --secrets-provider "$SECRETS_PROVIDER" --non-interactive
"${with_fresh_token[@]}" -- pulumi up --stack "$STACK" --policy-pack policies --policy-pack-config policies/policy-config.json \
  --yes --non-interactive --diff 2>&1 | tee "$LOGS/up-$STACK.log"
