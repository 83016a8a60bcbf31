import type { CloudProvider } from "./versions.ts";

/** The user-facing module vocabulary, in dependency order (network first). */
export const MODULES = ["network", "cluster", "database", "storage", "registry"] as const;
export type ModuleName = (typeof MODULES)[number];

/** Cloud-specific names accepted for the modules, normalised to the vocabulary above. */
export const MODULE_ALIASES: Record<string, ModuleName> = {
  vpc: "network", vnet: "network",
  eks: "cluster", gke: "cluster", aks: "cluster", kubernetes: "cluster", k8s: "cluster",
  rds: "database", cloudsql: "database", "cloud-sql": "database", postgres: "database", postgresql: "database",
  s3: "storage", gcs: "storage", blob: "storage", bucket: "storage",
  ecr: "registry", gar: "registry", acr: "registry", "artifact-registry": "registry",
};

/** What each module is on each cloud, for READMEs and summaries. */
export const MODULE_TITLES: Record<CloudProvider, Record<ModuleName, string>> = {
  aws: {
    network: "VPC with public and private subnets across availability zones and NAT gateways",
    cluster: "EKS cluster with a managed node group, private endpoint and IRSA",
    database: "RDS for PostgreSQL with a Secrets Manager-managed master password",
    storage: "S3 bucket: versioned, KMS-encrypted, public access blocked, TLS only",
    registry: "ECR repositories: immutable tags, scan on push, lifecycle policy",
  },
  gcp: {
    network: "VPC network with public and private subnets, Cloud Router and Cloud NAT",
    cluster: "Regional GKE cluster with private nodes, a managed node pool and Workload Identity",
    database: "Cloud SQL for PostgreSQL on a private IP, password in Secret Manager",
    storage: "GCS bucket: versioned, uniform access, public access prevented",
    registry: "Artifact Registry Docker repository with immutable tags and cleanup policies",
  },
  azure: {
    network: "VNet with public, private and PostgreSQL-delegated subnets and a NAT gateway",
    cluster: "AKS cluster with an autoscaling node pool, Entra RBAC and Workload Identity",
    database: "Azure Database for PostgreSQL flexible server, VNet-integrated, Entra authentication only",
    storage: "Storage account: versioned blobs, soft delete, no shared keys, TLS 1.2",
    registry: "Azure Container Registry with the admin user disabled",
  },
};

/** Type constraints the generated root variables use (a closed set: they are written into HCL as they are). */
export type VarType = "string" | "number" | "bool" | "list(string)";
export type TfValue = string | number | boolean | string[];

/** Environment profile: sizes differ by tfvars only. */
export type Profile = "production" | "nonproduction";
export const profileOf = (env: string): Profile => (/^prod/.test(env) ? "production" : "nonproduction");

/** Expressions a module argument may be bound to (root-module names every root declares). */
export type RootExpr =
  | "local.name"
  | "local.tags"
  | "local.labels"
  | "local.data_bucket_name"
  | "local.repository_names"
  | "var.region"
  | "var.project_id"
  | "azurerm_resource_group.this.name"
  | "azurerm_resource_group.this.location";

export interface RootVariableSpec {
  name: string;
  type: VarType;
  description: string;
}

/**
 * How the root module fills one variable of a module:
 * - `expr`: a fixed root expression;
 * - `sized`: a root variable whose value each environment's terraform.tfvars sets (per profile or per env index);
 * - `module`: another module's output when that module is generated too, else a root variable the user sets
 *   (so any subset of modules stays valid);
 * - `user`: a root variable only the user can know (an Entra group id), set in terraform.tfvars.
 */
export type Binding =
  | { kind: "expr"; expr: RootExpr }
  | { kind: "sized"; variable: RootVariableSpec; values: Record<Profile, TfValue> | ((index: number) => TfValue) }
  | { kind: "module"; module: ModuleName; output: string; fallback: RootVariableSpec }
  | { kind: "user"; variable: RootVariableSpec };

export type ModuleBindings = Record<string, Binding>;

const sized = (name: string, type: VarType, description: string, values: Record<Profile, TfValue> | ((index: number) => TfValue)): Binding =>
  ({ kind: "sized", variable: { name, type, description }, values });
const fromModule = (module: ModuleName, output: string, name: string, type: VarType, description: string): Binding =>
  ({ kind: "module", module, output, fallback: { name, type, description } });
const expr = (e: RootExpr): Binding => ({ kind: "expr", expr: e });

/** Each environment gets its own /16 so environments can later be peered without overlap. */
const envCidr = (index: number) => `10.${10 * (index + 1)}.0.0/16`;

export const BINDINGS: Record<CloudProvider, Record<ModuleName, ModuleBindings>> = {
  aws: {
    network: {
      name: expr("local.name"),
      cidr_block: sized("network_cidr_block", "string", "IPv4 range of this environment's VPC.", envCidr),
      single_nat_gateway: sized("network_single_nat_gateway", "bool", "Share one NAT gateway across zones (cheaper, less available).",
        { production: false, nonproduction: true }),
    },
    cluster: {
      name: expr("local.name"),
      subnet_ids: fromModule("network", "private_subnet_ids", "cluster_subnet_ids", "list(string)", "Private subnet IDs (two or more zones) for the EKS cluster."),
      node_instance_types: sized("cluster_node_instance_types", "list(string)", "EC2 instance types of the node group.",
        { production: ["m6i.large"], nonproduction: ["t3.large"] }),
      node_capacity_type: sized("cluster_node_capacity_type", "string", "ON_DEMAND or SPOT nodes.",
        { production: "ON_DEMAND", nonproduction: "SPOT" }),
      node_min_size: sized("cluster_node_min_size", "number", "Minimum number of nodes.", { production: 3, nonproduction: 1 }),
      node_max_size: sized("cluster_node_max_size", "number", "Maximum number of nodes.", { production: 10, nonproduction: 3 }),
      admin_principal_arns: { kind: "user", variable: { name: "cluster_admin_principal_arns", type: "list(string)", description: "IAM role ARNs that administer the EKS cluster (access entries)." } },
    },
    database: {
      name: expr("local.name"),
      vpc_id: fromModule("network", "vpc_id", "database_vpc_id", "string", "VPC ID the database lives in."),
      subnet_ids: fromModule("network", "private_subnet_ids", "database_subnet_ids", "list(string)", "Private subnet IDs (two or more zones) for the database."),
      // Only the private subnets (where the cluster's nodes and pods run) reach PostgreSQL, not the public ones.
      allowed_cidr_blocks: fromModule("network", "private_subnet_cidr_blocks", "database_allowed_cidr_blocks", "list(string)", "CIDR blocks allowed to connect to PostgreSQL."),
      instance_class: sized("database_instance_class", "string", "RDS instance class.", { production: "db.m7g.large", nonproduction: "db.t4g.medium" }),
      allocated_storage: sized("database_allocated_storage", "number", "Initial storage in GiB.", { production: 100, nonproduction: 20 }),
      // Above allocated_storage in every profile, or RDS storage autoscaling is off (the module validates it).
      max_allocated_storage: sized("database_max_allocated_storage", "number", "Storage autoscaling ceiling in GiB.", { production: 1000, nonproduction: 100 }),
      multi_az: sized("database_multi_az", "bool", "Synchronous standby in a second zone.", { production: true, nonproduction: false }),
      backup_retention_days: sized("database_backup_retention_days", "number", "Days of automated backups.", { production: 30, nonproduction: 7 }),
    },
    storage: {
      name: expr("local.data_bucket_name"),
    },
    registry: {
      repository_names: expr("local.repository_names"),
    },
  },
  gcp: {
    network: {
      name: expr("local.name"),
      project_id: expr("var.project_id"),
      region: expr("var.region"),
    },
    cluster: {
      name: expr("local.name"),
      project_id: expr("var.project_id"),
      region: expr("var.region"),
      labels: expr("local.labels"),
      network_id: fromModule("network", "network_id", "cluster_network_id", "string", "ID of the VPC network for the cluster."),
      subnetwork_id: fromModule("network", "private_subnet_id", "cluster_subnetwork_id", "string", "ID of the subnet for the cluster's nodes."),
      pods_range_name: fromModule("network", "pods_range_name", "cluster_pods_range_name", "string", "Secondary range of that subnet for pods."),
      services_range_name: fromModule("network", "services_range_name", "cluster_services_range_name", "string", "Secondary range of that subnet for services."),
      machine_type: sized("cluster_machine_type", "string", "Machine type of the node pool.", { production: "e2-standard-4", nonproduction: "e2-standard-2" }),
      node_min_count: sized("cluster_node_min_count", "number", "Minimum nodes per zone.", { production: 1, nonproduction: 1 }),
      node_max_count: sized("cluster_node_max_count", "number", "Maximum nodes per zone.", { production: 5, nonproduction: 2 }),
    },
    database: {
      name: expr("local.name"),
      project_id: expr("var.project_id"),
      region: expr("var.region"),
      labels: expr("local.labels"),
      network_id: fromModule("network", "network_id", "database_network_id", "string", "ID of the VPC network the database gets its private IP in."),
      tier: sized("database_tier", "string", "Cloud SQL machine tier.", { production: "db-custom-2-7680", nonproduction: "db-custom-1-3840" }),
      availability_type: sized("database_availability_type", "string", "ZONAL or REGIONAL.", { production: "REGIONAL", nonproduction: "ZONAL" }),
      disk_size_gb: sized("database_disk_size_gb", "number", "Initial disk size in GB.", { production: 100, nonproduction: 20 }),
    },
    storage: {
      name: expr("local.data_bucket_name"),
      project_id: expr("var.project_id"),
      location: expr("var.region"),
      labels: expr("local.labels"),
    },
    registry: {
      name: expr("local.name"),
      project_id: expr("var.project_id"),
      region: expr("var.region"),
      labels: expr("local.labels"),
    },
  },
  azure: {
    network: {
      name: expr("local.name"),
      resource_group_name: expr("azurerm_resource_group.this.name"),
      location: expr("azurerm_resource_group.this.location"),
      tags: expr("local.tags"),
      address_space: sized("network_address_space", "string", "Address range of this environment's virtual network.", envCidr),
    },
    cluster: {
      name: expr("local.name"),
      resource_group_name: expr("azurerm_resource_group.this.name"),
      location: expr("azurerm_resource_group.this.location"),
      tags: expr("local.tags"),
      subnet_id: fromModule("network", "private_subnet_id", "cluster_subnet_id", "string", "ID of the subnet for the AKS nodes."),
      outbound_type: fromModule("network", "private_subnet_outbound_type", "cluster_outbound_type", "string",
        "AKS egress: userAssignedNATGateway when that subnet has a NAT gateway, else loadBalancer."),
      sku_tier: sized("cluster_sku_tier", "string", "AKS tier: Free or Standard (uptime SLA).", { production: "Standard", nonproduction: "Free" }),
      node_vm_size: sized("cluster_node_vm_size", "string", "VM size of the node pool.", { production: "Standard_D4s_v5", nonproduction: "Standard_D2s_v5" }),
      node_min_count: sized("cluster_node_min_count", "number", "Minimum number of nodes.", { production: 3, nonproduction: 1 }),
      node_max_count: sized("cluster_node_max_count", "number", "Maximum number of nodes.", { production: 10, nonproduction: 3 }),
    },
    database: {
      name: expr("local.name"),
      resource_group_name: expr("azurerm_resource_group.this.name"),
      location: expr("azurerm_resource_group.this.location"),
      tags: expr("local.tags"),
      delegated_subnet_id: fromModule("network", "database_subnet_id", "database_delegated_subnet_id", "string", "ID of a subnet delegated to PostgreSQL flexible servers."),
      virtual_network_id: fromModule("network", "virtual_network_id", "database_virtual_network_id", "string", "ID of the virtual network of that subnet."),
      admin_object_id: { kind: "user", variable: { name: "database_admin_object_id", type: "string", description: "Object ID of the Microsoft Entra group that administers PostgreSQL." } },
      admin_principal_name: { kind: "user", variable: { name: "database_admin_principal_name", type: "string", description: "Display name of that Entra group." } },
      sku_name: sized("database_sku_name", "string", "PostgreSQL compute SKU.", { production: "GP_Standard_D2ds_v5", nonproduction: "B_Standard_B2s" }),
      high_availability: sized("database_high_availability", "bool", "Zone-redundant standby.", { production: true, nonproduction: false }),
      backup_retention_days: sized("database_backup_retention_days", "number", "Days of backups.", { production: 35, nonproduction: 7 }),
      geo_redundant_backup: sized("database_geo_redundant_backup", "bool", "Copy backups to the paired region.", { production: true, nonproduction: false }),
    },
    storage: {
      name: expr("local.name"),
      resource_group_name: expr("azurerm_resource_group.this.name"),
      location: expr("azurerm_resource_group.this.location"),
      tags: expr("local.tags"),
      replication_type: sized("storage_replication_type", "string", "Replication of the storage account.", { production: "ZRS", nonproduction: "LRS" }),
    },
    registry: {
      name: expr("local.name"),
      resource_group_name: expr("azurerm_resource_group.this.name"),
      location: expr("azurerm_resource_group.this.location"),
      tags: expr("local.tags"),
      sku: sized("registry_sku", "string", "Basic, Standard or Premium.", { production: "Premium", nonproduction: "Standard" }),
    },
  },
};

/** Provider blocks each cloud's Terraform needs, by module (the random provider generates the Cloud SQL password). */
export function providersFor(provider: CloudProvider, modules: readonly ModuleName[]): ("aws" | "google" | "azurerm" | "random")[] {
  if (provider === "aws") return ["aws"];
  if (provider === "azure") return ["azurerm"];
  return modules.includes("database") ? ["google", "random"] : ["google"];
}

export const DEFAULT_REGION: Record<CloudProvider, string> = { aws: "us-east-1", gcp: "us-central1", azure: "eastus" };

/** Region names as each cloud spells them. */
export const REGION_PATTERN: Record<CloudProvider, RegExp> = {
  aws: /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/,
  gcp: /^[a-z]+-[a-z]+\d{1,2}$/,
  azure: /^[a-z]+[a-z0-9]*$/,
};
export const REGION_EXAMPLES: Record<CloudProvider, string> = {
  aws: "us-east-1, eu-west-1",
  gcp: "us-central1, europe-west4",
  azure: "eastus, westeurope",
};
