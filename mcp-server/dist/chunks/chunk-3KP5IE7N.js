import { createRequire as __sdCreateRequire } from "node:module";
import { fileURLToPath as __sdFileURLToPath } from "node:url";
import { dirname as __sdDirname } from "node:path";
const require = __sdCreateRequire(import.meta.url);
const __filename = __sdFileURLToPath(import.meta.url);
const __dirname = __sdDirname(__filename);
function n(t){return Object.prototype.toString.call(t)==="[object Object]"}function o(t){var e,r;return n(t)===!1?!1:(e=t.constructor,e===void 0?!0:(r=e.prototype,!(n(r)===!1||r.hasOwnProperty("isPrototypeOf")===!1)))}export{o as a};
/*! For license information please see chunk-3KP5IE7N.js.LEGAL.txt */
