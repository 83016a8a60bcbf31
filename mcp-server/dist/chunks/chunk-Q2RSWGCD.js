import { createRequire as __sdCreateRequire } from "node:module";
import { fileURLToPath as __sdFileURLToPath } from "node:url";
import { dirname as __sdDirname } from "node:path";
const require = __sdCreateRequire(import.meta.url);
const __filename = __sdFileURLToPath(import.meta.url);
const __dirname = __sdDirname(__filename);
import{c as f}from"./chunk-EJ2PX3V6.js";var i=f(u=>{"use strict";Object.defineProperty(u,"__esModule",{value:!0});function n(l){let c=l.length,d=0,e=0,t;for(;e<c;)d++,t=l.charCodeAt(e++),t>=55296&&t<=56319&&e<c&&(t=l.charCodeAt(e),(t&64512)===56320&&e++);return d}u.default=n;n.code='require("ajv/dist/runtime/ucs2length").default'});export{i as a};
