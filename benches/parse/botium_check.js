// Reads a folder of BotiumScript files with botium-core's own compiler, the way Botium's test
// runners load a suite (BotDriver.BuildCompiler, ScriptingProvider.ReadScriptsFromDirectory,
// ExpandScriptingMemoryToConvos, ExpandConvos), and prints what it read as one JSON line.
// `cargo bench --bench parse` times this side by side with `ivr-test check` on the same folder.
//
// usage: node botium_check.js BOTIUM_CORE_DIR CONVO_DIR
'use strict'

const path = require('path')

const [botiumCoreDir, convoDir] = process.argv.slice(2)
if (!botiumCoreDir || !convoDir) {
  console.error('usage: node botium_check.js BOTIUM_CORE_DIR CONVO_DIR')
  process.exit(2)
}

const { BotDriver } = require(path.resolve(botiumCoreDir))
const compiler = new BotDriver().BuildCompiler()
const read = compiler.ReadScriptsFromDirectory(path.resolve(convoDir))
compiler.ExpandScriptingMemoryToConvos()
compiler.ExpandConvos()
console.log(JSON.stringify({
  convos: read.convos.length,
  partialConvos: read.pconvos.length,
  utteranceLists: read.utterances.length,
  testCases: compiler.convos.length
}))
