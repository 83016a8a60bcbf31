/** Replaces the `{postgres}`/`{mysql}`/`{redis}`/`{mongodb}` host placeholders of a project's test environment (analyze/test-services.ts). */
export const withHosts = (value: string, host: (kind: string) => string) => value.replace(/\{(postgres|mysql|redis|mongodb)\}/g, (_, k: string) => host(k));
