// node:http for the bundle, without an ECMAScript module namespace. An ESM `import` of a
// built-in reads every export to build its namespace, and reading node:http's `WebSocket` loads
// Node's bundled undici: ~15 ms of every cold start, for a module no callback uses. The SDK
// imports node:http that way (its IMDS credential provider does, at load); scripts/build.ts
// points that import here. process.getBuiltinModule hands over the CommonJS exports as they are.
module.exports = process.getBuiltinModule('node:http');
