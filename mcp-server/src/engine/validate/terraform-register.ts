import { registerGroupValidator } from "./index.ts";
import { validateTerraformReferences } from "./terraform-references.ts";

/**
 * Registers the Terraform reference check for every `terraform` group the writer validates (tfvars files join
 * their directory's group). Imported for its side effect by the terraform capability; registering twice is a no-op.
 */
let registered = false;
export function registerTerraformValidators(): void {
  if (registered) return;
  registered = true;
  registerGroupValidator("terraform", validateTerraformReferences);
}
registerTerraformValidators();
