// Runs the @nestjs/swagger CLI plugin under ts-jest, so tests see the same OpenAPI metadata as `nest build`.
/* eslint-disable @typescript-eslint/no-require-imports */
const plugin = require('@nestjs/swagger/plugin');

const options = { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] };

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (compiler) => plugin.before(options, compiler.program),
};
