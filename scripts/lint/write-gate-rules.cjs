// The write gate's lint rules (src/database/write-gate.ts): clinic and confirmation documents are
// written only by writer classes, which only a write gate constructs; repositories only read; models
// are injected only into repositories and write gates. Shared by eslint.config.mjs and its test.

const WRITER_CONSTRUCTED_OUTSIDE_GATE = {
  selector: 'NewExpression[callee.name=/Writer$/]',
  message: 'Writers are created only by a write gate: run the work through the gate (e.g. ClinicWriteGate.run).',
};
const MODEL_INJECTED_OUTSIDE_REPOSITORY = {
  selector: "Decorator[expression.callee.name='InjectModel']",
  message: 'Models belong to repositories (reads) and write gates (writes); inject those instead.',
};
const REPOSITORY_WRITES = {
  selector:
    'ClassDeclaration[id.name=/Repository$/] CallExpression[callee.property.name=/^(create|save|insertMany|insertOne|updateOne|updateMany|replaceOne|findOneAndUpdate|findOneAndReplace|findOneAndDelete|findByIdAndUpdate|findByIdAndDelete|deleteOne|deleteMany|bulkWrite)$/]',
  message: 'Repositories only read; writes belong to a writer class that a write gate hands out.',
};

module.exports = [
  {
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/*-write-gate.ts', 'src/modules/**/*.repository.ts'],
    rules: {
      'no-restricted-syntax': ['error', WRITER_CONSTRUCTED_OUTSIDE_GATE, MODEL_INJECTED_OUTSIDE_REPOSITORY],
    },
  },
  {
    files: ['src/modules/**/*.repository.ts'],
    rules: {
      'no-restricted-syntax': ['error', WRITER_CONSTRUCTED_OUTSIDE_GATE, REPOSITORY_WRITES],
    },
  },
];
