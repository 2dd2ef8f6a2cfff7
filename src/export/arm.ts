import type { DelegationNaming } from "../delegation";
import { DEPLOYMENTS_API_VERSION, MANAGED_SERVICES_API_VERSION } from "../azure/definitions";
import { definitionProperties, type ResolvedOffer } from "../offer/model";

/**
 * The offer as an Azure Lighthouse onboarding template in the layout of Microsoft's
 * Azure-Lighthouse-samples (subscription-level deployment; parameters mspOfferName,
 * mspOfferDescription, managedByTenantId, authorizations, eligibleAuthorizations; resource groups
 * through nested deployments), at API 2022-10-01, named as src/delegation.ts `delegationGuids`
 * names the Pulumi component's resources:
 * - toolkit (default): definition guid(toLower(managedByTenantId), mspOfferName), assignment
 *   guid(definition, toLower(subscription().id)[/resourceGroups/<name>]): a customer who deploys
 *   it and later moves to the Pulumi stack sees no change.
 * - samples: exactly Microsoft's names, guid(mspOfferName) and guid(rgName), with the samples'
 *   parameter shapes (rgName for one group, resourceGroups [{rgName}] for several, the five
 *   marketplace strings): redeploying over a sample-onboarded customer updates that delegation.
 * Only the parameters the offer uses are declared.
 */

const DEFINITION_TYPE = "Microsoft.ManagedServices/registrationDefinitions";
const ASSIGNMENT_TYPE = "Microsoft.ManagedServices/registrationAssignments";
const definitionResourceId = `[subscriptionResourceId('${DEFINITION_TYPE}', variables('mspRegistrationName'))]`;

export interface ArmExportOptions {
  /** Delegate these resource groups instead of the whole subscription. */
  resourceGroups?: string[];
  /** How the resources are named. Default: toolkit. */
  names?: DelegationNaming;
  /** The offer file as the template's metadata names it (relative to the project). Default: the offer's own. */
  source?: string;
}

type Layout = "subscription" | "resource-group" | "resource-groups";

/** Microsoft's one-group template takes `rgName`; its several-groups template, `resourceGroups`. */
function layoutOf(options: ArmExportOptions): Layout {
  const count = options.resourceGroups?.length ?? 0;
  if (count === 0) return "subscription";
  return options.names === "samples" && count === 1 ? "resource-group" : "resource-groups";
}

const description = (text: string) => ({ metadata: { description: text } });

export function armTemplate(offer: ResolvedOffer, options: ArmExportOptions = {}) {
  const samples = options.names === "samples";
  const layout = layoutOf(options);
  const eligible = offer.eligibleAuthorizations.length > 0;
  const groupName =
    layout === "resource-group" ? "parameters('rgName')" : "parameters('resourceGroups')[copyIndex()].rgName";
  const assignmentName = (() => {
    if (layout === "subscription")
      return samples
        ? "[guid(parameters('mspOfferName'))]"
        : "[guid(variables('mspRegistrationName'), toLower(subscription().id))]";
    return samples
      ? `[guid(${groupName})]`
      : `[guid(variables('mspRegistrationName'), concat(toLower(subscription().id), '/resourceGroups/', ${groupName}))]`;
  })();

  const assignment =
    layout === "subscription"
      ? {
          type: ASSIGNMENT_TYPE,
          apiVersion: MANAGED_SERVICES_API_VERSION,
          name: assignmentName,
          dependsOn: [definitionResourceId],
          properties: { registrationDefinitionId: definitionResourceId },
        }
      : {
          type: "Microsoft.Resources/deployments",
          apiVersion: DEPLOYMENTS_API_VERSION,
          name: `[concat('lighthouse-', guid(variables('mspRegistrationName'), ${groupName}))]`,
          resourceGroup: `[${groupName}]`,
          ...(layout === "resource-groups"
            ? { copy: { name: "resourceGroupAssignments", count: "[length(parameters('resourceGroups'))]" } }
            : {}),
          dependsOn: [definitionResourceId],
          properties: {
            mode: "Incremental",
            expressionEvaluationOptions: { scope: "inner" },
            parameters: {
              registrationDefinitionId: { value: definitionResourceId },
              assignmentName: { value: assignmentName },
            },
            template: {
              $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
              contentVersion: "1.0.0.0",
              parameters: { registrationDefinitionId: { type: "string" }, assignmentName: { type: "string" } },
              resources: [
                {
                  type: ASSIGNMENT_TYPE,
                  apiVersion: MANAGED_SERVICES_API_VERSION,
                  name: "[parameters('assignmentName')]",
                  properties: { registrationDefinitionId: "[parameters('registrationDefinitionId')]" },
                },
              ],
            },
          },
        };

  const marketplacePlan = {
    name: "[parameters('marketplacePlanId')]",
    product: "[parameters('marketplaceOfferId')]",
    publisher: "[parameters('marketplacePublisherId')]",
    version: "[parameters('marketplacePlanVersion')]",
  };
  const plan =
    offer.plan &&
    (samples
      ? "[if(equals(parameters('marketplaceOffer'), 'Yes'), variables('marketplacePlan'), json('null'))]"
      : "[parameters('mspPlan')]");

  return {
    $schema: "https://schema.management.azure.com/schemas/2019-08-01/subscriptionDeploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: {
      description: `Azure Lighthouse onboarding for the offer '${offer.name}', generated from ${options.source ?? offer.file} (${samples ? "Microsoft's sample names" : "the toolkit's names"})`,
    },
    parameters: {
      mspOfferName: {
        type: "string",
        ...description("The offer's name (registrationDefinitionName); the definition's GUID derives from it."),
      },
      ...(offer.description !== undefined
        ? { mspOfferDescription: { type: "string", ...description("What the offer is for.") } }
        : {}),
      managedByTenantId: { type: "string", ...description("The managing (service provider's) tenant id.") },
      authorizations: {
        type: "array",
        ...description("Permanent authorizations: principalId, principalIdDisplayName, roleDefinitionId."),
      },
      ...(eligible
        ? { eligibleAuthorizations: { type: "array", ...description("Just-in-time authorizations.") } }
        : {}),
      ...(offer.plan && samples
        ? {
            marketplaceOffer: {
              type: "string",
              defaultValue: "Yes",
              ...description("Yes: the plan parameters name an Azure Marketplace offer's plan."),
            },
            marketplacePublisherId: { type: "string", ...description("Azure Marketplace publisher id.") },
            marketplaceOfferId: { type: "string", ...description("Azure Marketplace offer id (the plan's product).") },
            marketplacePlanId: { type: "string", ...description("Azure Marketplace plan id.") },
            marketplacePlanVersion: { type: "string", ...description("Azure Marketplace plan version.") },
          }
        : {}),
      ...(offer.plan && !samples
        ? { mspPlan: { type: "object", ...description("Azure Marketplace plan: name, product, publisher, version.") } }
        : {}),
      ...(layout === "resource-group"
        ? { rgName: { type: "string", ...description("The resource group to delegate.") } }
        : {}),
      ...(layout === "resource-groups"
        ? { resourceGroups: { type: "array", ...description('Resource groups to delegate: [{"rgName": "..."}].') } }
        : {}),
    },
    variables: {
      mspRegistrationName: samples
        ? "[guid(parameters('mspOfferName'))]"
        : "[guid(toLower(parameters('managedByTenantId')), parameters('mspOfferName'))]",
      ...(offer.plan && samples ? { marketplacePlan } : {}),
    },
    resources: [
      {
        type: DEFINITION_TYPE,
        apiVersion: MANAGED_SERVICES_API_VERSION,
        name: "[variables('mspRegistrationName')]",
        ...(plan ? { plan } : {}),
        // Generated per offer: what the offer leaves out, the body leaves out too, exactly as the
        // Pulumi component sends it. Change the offer and export again rather than the parameters.
        properties: {
          registrationDefinitionName: "[parameters('mspOfferName')]",
          ...(offer.description !== undefined ? { description: "[parameters('mspOfferDescription')]" } : {}),
          managedByTenantId: "[parameters('managedByTenantId')]",
          authorizations: "[parameters('authorizations')]",
          ...(eligible ? { eligibleAuthorizations: "[parameters('eligibleAuthorizations')]" } : {}),
        },
      },
      assignment,
    ],
    outputs: {
      mspOfferName: { type: "string", value: "[concat('Managed by', ' ', parameters('mspOfferName'))]" },
      authorizations: { type: "array", value: "[parameters('authorizations')]" },
      ...(eligible
        ? { eligibleAuthorizations: { type: "array", value: "[parameters('eligibleAuthorizations')]" } }
        : {}),
      ...(offer.plan && samples
        ? {
            marketplace: {
              type: "object",
              value: `[if(equals(parameters('marketplaceOffer'), 'Yes'), variables('marketplacePlan'), json('{"offer": "No marketplace offer"}'))]`,
            },
          }
        : {}),
      registrationDefinitionId: { type: "string", value: definitionResourceId },
    },
  };
}

/** The matching `*.parameters.json`: roles resolved to ids, display names kept. */
export function armParameters(offer: ResolvedOffer, options: ArmExportOptions = {}) {
  const properties = definitionProperties(offer);
  const layout = layoutOf(options);
  const samples = options.names === "samples";
  const groups = options.resourceGroups ?? [];
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      mspOfferName: { value: offer.name },
      ...(offer.description !== undefined ? { mspOfferDescription: { value: offer.description } } : {}),
      managedByTenantId: { value: offer.managedByTenantId },
      authorizations: { value: properties.authorizations },
      ...(properties.eligibleAuthorizations
        ? { eligibleAuthorizations: { value: properties.eligibleAuthorizations } }
        : {}),
      ...(offer.plan && samples
        ? {
            marketplaceOffer: { value: "Yes" },
            marketplacePublisherId: { value: offer.plan.publisher },
            marketplaceOfferId: { value: offer.plan.product },
            marketplacePlanId: { value: offer.plan.name },
            marketplacePlanVersion: { value: offer.plan.version },
          }
        : {}),
      ...(offer.plan && !samples ? { mspPlan: { value: offer.plan } } : {}),
      ...(layout === "resource-group" ? { rgName: { value: groups[0] } } : {}),
      ...(layout === "resource-groups" ? { resourceGroups: { value: groups.map((rgName) => ({ rgName })) } } : {}),
    },
  };
}
