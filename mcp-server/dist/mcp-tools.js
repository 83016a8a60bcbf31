import { createRequire as __sdCreateRequire } from "node:module";
import { fileURLToPath as __sdFileURLToPath } from "node:url";
import { dirname as __sdDirname } from "node:path";
const require = __sdCreateRequire(import.meta.url);
const __filename = __sdFileURLToPath(import.meta.url);
const __dirname = __sdDirname(__filename);
import{a as e,b as c,c as a,e as p,f as l,h as n}from"./chunks/chunk-6FUTXH3P.js";import"./chunks/chunk-5L2UPEL2.js";import"./chunks/chunk-EJ2PX3V6.js";var m=(t,s)=>{let{$schema:u,...r}=e.toJSONSchema(t,{io:s,unrepresentable:"any"});return r},d=m(p,"output");function y(){return n.map(t=>({name:t.tool,title:t.title,description:t.description,inputSchema:m(e.object(t.inputShape),"input"),outputSchema:d,annotations:t.annotations}))}async function g(t,s,u){let r=n.find(o=>o.tool===t);if(!r)return{isError:!0,content:[{type:"text",text:`unknown tool ${t}; tools: ${n.map(o=>o.tool).join(", ")}`}]};let i=e.object(r.inputShape).strict().safeParse(s);if(!i.success)return{isError:!0,content:[{type:"text",text:`invalid input for ${t}; nothing was written.
${c(i.error)}`}]};try{let o=await r.run(i.data,u);return{content:[{type:"text",text:a(o)}],structuredContent:o,isError:!1}}catch(o){return o instanceof l?{isError:!0,content:[{type:"text",text:`${o.message}
Nothing was written.`}]}:{isError:!0,content:[{type:"text",text:`internal error in ${t}: ${o.stack??String(o)}`}]}}}export{g as callTool,y as listTools};
