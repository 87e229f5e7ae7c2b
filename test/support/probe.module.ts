import { Body, Controller, Get, Module, Param, Post, Query } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { IsEmail, IsString, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import type { Connection } from 'mongoose';
import { Public } from '../../src/auth/authorization/authorize.decorator';
import { IsContractEnum, IsOptionalDateTime, IsTidepoolUserId } from '../../src/common/validation/decorators';
import { ClinicIdParams } from '../../src/common/validation/id-params.dto';
import { PaginationQuery } from '../../src/common/validation/pagination.dto';

export enum ProbeColour {
  Red = 'red',
  Blue = 'blue',
}

class ProbeAddress {
  @IsString() @MinLength(1) city: string;
}

class ProbeBody {
  @IsEmail() email: string;
  @IsTidepoolUserId() userId: string;
  @IsContractEnum(ProbeColour, 'ProbeColour') colour: ProbeColour;
  @ValidateNested() @Type(() => ProbeAddress) address: ProbeAddress;
}

class ProbeQuery extends PaginationQuery {
  @IsOptionalDateTime() since?: string;
}

/** Test-only routes that exercise the shared building blocks through the real pipeline. */
@Public()
@Controller('probe')
export class ProbeController {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  @Post('clinics/:clinicId')
  echo(@Param() params: ClinicIdParams, @Query() query: ProbeQuery, @Body() body: ProbeBody): object {
    return { params, query, body };
  }

  @Post('duplicate')
  async duplicate(): Promise<void> {
    const collection = this.connection.collection('probe_items');
    await collection.createIndex({ key: 1 }, { unique: true });
    await collection.insertOne({ key: 'same' });
    await collection.insertOne({ key: 'same' });
  }

  @Post('duplicate-update')
  async duplicateUpdate(): Promise<void> {
    const collection = this.connection.collection('probe_keys');
    await collection.createIndex({ key: 1 }, { unique: true, sparse: true });
    await collection.deleteMany({});
    await collection.insertMany([{ key: 'first' }, { key: 'second' }]);
    await collection.updateOne({ key: 'second' }, { $set: { key: 'first' } });
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret driver detail: connection string mongodb://user:pass@host');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
