// Files imported `with { type: 'file' }` resolve to a path inside the bundle.
declare module '*.min.js' {
  const path: string
  export default path
}
declare module '*.css' {
  const path: string
  export default path
}
declare module '*.tiktoken' {
  const path: string
  export default path
}
