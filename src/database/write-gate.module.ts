import { Global, Module } from '@nestjs/common';
import { DEFAULT_WRITE_LOCKS_OPTIONS, WriteLocks } from './write-gate';

/** The process's one set of write locks, shared by every module's write gate. */
@Global()
@Module({
  providers: [{ provide: WriteLocks, useFactory: () => new WriteLocks(DEFAULT_WRITE_LOCKS_OPTIONS) }],
  exports: [WriteLocks],
})
export class WriteGateModule {}
