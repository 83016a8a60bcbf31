// Regenerates tests/terraform/google-schema.json from real provider plugins:
//   node --import tsx tests/terraform/reduce-provider-schema.ts [mirror-dir]
// mirror-dir defaults to $SD_GOOGLE_PROVIDER_DIR, filled by tests/terraform/build-providers.sh.
import { writeFileSync } from "node:fs";
import { GOOGLE_SCHEMA_FILE, formatReducedSchema } from "./google-schema.ts";
import { MIRROR_ENV, reducedSchemaFromMirror } from "./provider-mirror.ts";

const mirror = process.argv[2] ?? process.env[MIRROR_ENV];
if (!mirror) {
  console.error(`usage: node --import tsx tests/terraform/reduce-provider-schema.ts <mirror-dir> (or set ${MIRROR_ENV})`);
  process.exit(2);
}
const reduced = reducedSchemaFromMirror(mirror);
writeFileSync(GOOGLE_SCHEMA_FILE, formatReducedSchema(reduced));
for (const [address, p] of Object.entries(reduced.providers)) {
  console.log(`${address} ${p.version}: ${Object.keys(p.resources).length} resources, ${Object.keys(p.data_sources).length} data sources`);
}
console.log(`wrote ${GOOGLE_SCHEMA_FILE}`);
