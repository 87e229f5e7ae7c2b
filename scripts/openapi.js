// `npm run openapi`: writes openapi/clinic.json (the service's OpenAPI document) and the TypeScript
// client generated from it. `npm run openapi:check`: fails when they differ from what the code makes.
// Runs the TypeScript sources through ts-node with the @nestjs/swagger plugin, as `nest build` does,
// so the document is the one the built service serves.
/* eslint-disable @typescript-eslint/no-require-imports */
const { resolve } = require('node:path');
const swaggerPlugin = require('@nestjs/swagger/plugin');
const nestCli = require('../nest-cli.json');

const pluginOptions = nestCli.compilerOptions.plugins.find((plugin) => plugin.name === '@nestjs/swagger').options;

require('ts-node').register({
  project: resolve(__dirname, '../tsconfig.json'),
  compilerOptions: { incremental: false },
  transformers: (program) => ({ before: [swaggerPlugin.before(pluginOptions, program)] }),
});

require('./openapi/generate.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
