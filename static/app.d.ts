// `import … from "./app.js" with { type: "file" }` yields the path of the embedded file.
declare const path: string
export default path
