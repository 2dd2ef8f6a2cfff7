// The component provider: Pulumi's SDK serves the components below over the provider protocol
// (GetSchema infers their schema from this TypeScript source; Construct builds them).
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { LighthouseDelegation, ManagedIdentity, ManagementGroupDelegation } from "./components";

componentProviderHost({
  components: [LighthouseDelegation, ManagedIdentity, ManagementGroupDelegation],
  name: "lighthouse",
  dirname: __dirname,
});
