#!/usr/bin/env bun
import { runCli } from './cli/run'

// No top-level await here: it keeps the entry compatible with bytecode compilation.
void runCli(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code
})
