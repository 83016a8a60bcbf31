/**
 * One name for an app across capabilities: the pipeline's image and deploy job, and deployment-manager's
 * deploy/<app> tree. They must agree, or the generated deploy job applies an overlay that does not exist.
 */

/** "@scope/api" → api, "github.com/acme/inventory/v2" → inventory, "My_App" → my-app; a DNS-1123 label of at most 40. */
export function appSlug(value: string, fallback = "app"): string {
  const segments = value.toLowerCase().split("/").filter((s) => s !== "" && !/^v\d+$/.test(s));
  const last = segments.at(-1) ?? "";
  const base = last.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return !base || !/^[a-z]/.test(base) ? `${fallback}${base ? `-${base}` : ""}`.slice(0, 40).replace(/-+$/, "") : base;
}

/**
 * The app a repository's single deployable unit is named after, as the pipeline names its image: a compose
 * service keeps its service name (also while its Dockerfile is still to be generated); a bare Dockerfile or a
 * generated one for a project no compose service builds is named after its project.
 */
export function appNameOf(unit: { project?: { name: string; path: string }; service?: { name: string; source: string; dockerfile?: string; context: string } }): string | undefined {
  const { project, service } = unit;
  const fromCompose = service !== undefined && service.source !== service.dockerfile;
  if (service && (fromCompose || !project || project.path !== service.context)) return appSlug(service.name);
  return project ? appSlug(project.name || project.path) : undefined;
}
