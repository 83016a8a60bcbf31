import { createRequire as __sdCreateRequire } from "node:module";
import { fileURLToPath as __sdFileURLToPath } from "node:url";
import { dirname as __sdDirname } from "node:path";
const require = __sdCreateRequire(import.meta.url);
const __filename = __sdFileURLToPath(import.meta.url);
const __dirname = __sdDirname(__filename);
import{e as a}from"./chunk-YQEITHEV.js";import"./chunk-EJ2PX3V6.js";export default a();
