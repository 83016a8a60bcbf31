import { createRequire as __sdCreateRequire } from "node:module";
import { fileURLToPath as __sdFileURLToPath } from "node:url";
import { dirname as __sdDirname } from "node:path";
const require = __sdCreateRequire(import.meta.url);
const __filename = __sdFileURLToPath(import.meta.url);
const __dirname = __sdDirname(__filename);
var u=function a(e,{instancePath:p="",parentData:s,parentDataProperty:y,rootData:t=e}={}){let r=null,n=0;if(e&&typeof e=="object"&&!Array.isArray(e))e.name===void 0||o(e.name,{instancePath:p+"/name",parentData:e,parentDataProperty:"name",rootData:t})||(n=(r=r===null?o.errors:r.concat(o.errors)).length);else{let l={instancePath:p,schemaPath:"#/type",keyword:"type",params:{type:"object"}};r===null?r=[l]:r.push(l),n++}return a.errors=r,n===0};function o(a,{instancePath:e="",parentData:p,parentDataProperty:s,rootData:y=a}={}){let t=null,r=0;if(typeof a!="string"&&a!==null){let n={instancePath:e,schemaPath:"#/type",keyword:"type",params:{type:"string"}};t===null?t=[n]:t.push(n),r++}return o.errors=t,r===0}export{u as a};
